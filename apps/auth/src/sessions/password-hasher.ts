import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';
import { AUTH_CONFIG, type AuthConfig } from '../config';

/** Argon2id with the configured (OWASP) parameters; hashes made with older ones are upgraded on login. */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly options;
  /** Verified against when the email is unknown, so both failures take the same time. */
  private decoyHash = '';

  constructor(@Inject(AUTH_CONFIG) config: AuthConfig) {
    this.options = {
      type: argon2.argon2id as 2,
      memoryCost: config.AUTH_ARGON2_MEMORY_KIB,
      timeCost: config.AUTH_ARGON2_ITERATIONS,
      parallelism: config.AUTH_ARGON2_PARALLELISM,
    };
  }

  async onModuleInit() {
    this.decoyHash = await this.hash('decoy password never matched');
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password.normalize('NFC'), this.options);
  }

  /** Checks the password; with no hash (unknown user) checks a decoy and returns false. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    try {
      const matches = await argon2.verify(hash ?? this.decoyHash, password.normalize('NFC'));
      return matches && hash !== undefined;
    } catch {
      return false;
    }
  }

  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }
}
