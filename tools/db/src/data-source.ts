// The data source TypeORM's CLI uses for `nx run <service>:migration:*` (SEXTANT_SERVICE names the
// service; DATABASE_OWNER_URL connects as the schema owner).
import { createServiceDataSource } from '@sextant/platform/database';
import { MESSAGING_ENTITIES } from '@sextant/platform/messaging';
import path from 'node:path';

const service = process.env.SEXTANT_SERVICE;
const url = process.env.DATABASE_OWNER_URL;
if (!service || !url) throw new Error('set SEXTANT_SERVICE and DATABASE_OWNER_URL');
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const { entities = [], migrations } = require(path.join(__dirname, '../../../apps', service, 'src/service')) as { entities?: Function[]; migrations: Function[] };

export default createServiceDataSource({ schema: service, url, entities: [...entities, ...MESSAGING_ENTITIES], migrations });
