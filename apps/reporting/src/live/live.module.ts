import { Module } from '@nestjs/common';
import { LiveController } from './live.controller';
import { LiveReader } from './live-reader';

@Module({ controllers: [LiveController], providers: [LiveReader], exports: [LiveReader] })
export class LiveModule {}
