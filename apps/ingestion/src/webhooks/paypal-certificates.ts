import { Inject, Injectable } from '@nestjs/common';
import { isPayPalCertUrl } from '@sextant/domain/ingestion';
import { Transactions } from '@sextant/platform/database';
import { INGESTION_CONFIG, type IngestionConfig } from '../config';
import { PayPalCertificate } from './paypal-certificate.entity';

/**
 * PayPal's signing certificates by URL: from memory, else from the table every replica shares, else
 * fetched over https from a PayPal API host (`isPayPalCertUrl`; redirects refused), then kept for
 * INGESTION_PAYPAL_CERT_CACHE_SECONDS.
 */
@Injectable()
export class PayPalCertificates {
  private readonly memory = new Map<string, { pem: string; fetchedAt: number }>();
  private readonly maxAgeMs: number;

  constructor(
    private readonly transactions: Transactions,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
  ) {
    this.maxAgeMs = config.INGESTION_PAYPAL_CERT_CACHE_SECONDS * 1000;
  }

  async pem(certUrl: string): Promise<string> {
    if (!isPayPalCertUrl(certUrl)) throw new Error(`refusing to fetch a certificate from ${certUrl}`);
    const fresh = (fetchedAt: number) => Date.now() - fetchedAt < this.maxAgeMs;
    const cached = this.memory.get(certUrl);
    if (cached && fresh(cached.fetchedAt)) return cached.pem;

    const stored = await this.transactions.system((manager) =>
      manager.findOneBy(PayPalCertificate, { certUrl }),
    );
    if (stored && fresh(stored.fetchedAt.getTime())) {
      this.memory.set(certUrl, { pem: stored.pem, fetchedAt: stored.fetchedAt.getTime() });
      return stored.pem;
    }
    const response = await fetch(certUrl, { redirect: 'error', signal: AbortSignal.timeout(5_000) });
    const pem = await response.text();
    if (!response.ok || !pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`PayPal certificate ${certUrl}: HTTP ${response.status}, no PEM certificate`);
    const fetchedAt = new Date();
    await this.transactions.system((manager) =>
      manager.upsert(PayPalCertificate, { certUrl, pem, fetchedAt }, ['certUrl']),
    );
    this.memory.set(certUrl, { pem, fetchedAt: fetchedAt.getTime() });
    return pem;
  }
}
