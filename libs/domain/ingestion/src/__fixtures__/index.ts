/** Test fixtures of the ingestion domain, for the service's own tests (`@sextant/domain/ingestion/fixtures`). */
export * from './order-webhooks';
export * from './paypal-sandbox-2015';
