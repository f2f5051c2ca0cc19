import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * PayPal's public signing certificates, cached by URL for every replica. Not tenant data: PayPal
 * publishes them, and only URLs on PayPal hosts are ever fetched.
 */
@Entity({ name: 'paypal_certificates' })
export class PayPalCertificate {
  @PrimaryColumn({ name: 'cert_url', type: 'text', primaryKeyConstraintName: 'paypal_certificates_pkey' })
  certUrl!: string;

  @Column({ type: 'text' })
  pem!: string;

  @Column({ name: 'fetched_at', type: 'timestamptz' })
  fetchedAt!: Date;
}
