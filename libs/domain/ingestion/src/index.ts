export type { Problem, Validated } from './problems';
export { parseIsoDateTime } from './iso-time';
export {
  jsonByteLength,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_EVENT_BYTES,
  MAX_EVENT_NAME_LENGTH,
  SEGMENT_EVENT_TYPES,
  validateSegmentBatch,
  validateSegmentEvent,
  type BatchValidation,
  type EventValidation,
  type EventValidationOptions,
  type SegmentAlias,
  type SegmentBatch,
  type SegmentCampaign,
  type SegmentContext,
  type SegmentEvent,
  type SegmentEventType,
  type SegmentGroup,
  type SegmentIdentify,
  type SegmentPage,
  type SegmentPageView,
  type SegmentScreen,
  type SegmentTrack,
} from './segment-event';
export {
  correctClockSkew,
  DEFAULT_FUTURE_TOLERANCE_MS,
  normaliseTimestamps,
  type EventTimes,
  type NormalisedTimes,
  type TimestampNormalisation,
  type TimestampOptions,
} from './timestamps';
export { normaliseSegmentEvent, type NormaliseEventOptions, type NormalisedEvent } from './normalise-event';
export {
  categoriseSource,
  CLICK_IDS,
  extractMarketingTouch,
  SOURCE_CATEGORIES,
  WEBMAIL_HOSTS,
  type ClickIdDefinition,
  type MarketingTouch,
  type SourceCategory,
  type TouchInput,
  type TouchOptions,
} from './marketing-touch';
export {
  compileChannelRules,
  DEFAULT_CHANNEL_RULES,
  defaultChannel,
  TOUCH_FIELDS,
  UNASSIGNED_CHANNEL,
  type ChannelClassification,
  type ChannelClassifier,
  type ChannelCondition,
  type ChannelRule,
  type TouchField,
} from './channel-rules';
export {
  constantTimeEqual,
  headerValue,
  type WebhookHeaders,
  type WebhookRejectionCode,
  type WebhookVerification,
} from './webhook-verification';
export {
  parseWooCommercePing,
  SHOPIFY_SIGNATURE_HEADER,
  verifyShopifyWebhook,
  verifyWooCommerceWebhook,
  WOOCOMMERCE_SIGNATURE_HEADER,
  type HmacWebhookInput,
} from './hmac-webhooks';
export {
  STRIPE_DEFAULT_TOLERANCE_SECONDS,
  STRIPE_SIGNATURE_HEADER,
  verifyStripeWebhook,
  type StripeWebhookInput,
} from './stripe-signature';
export {
  isPayPalCertUrl,
  PAYPAL_AUTH_ALGORITHM,
  PAYPAL_CERT_HOSTS,
  PAYPAL_HEADERS,
  payPalSignedText,
  verifyPayPalWebhook,
  type PayPalWebhookInput,
} from './paypal-signature';
export { providerEventId, type ProviderEventId } from './webhook-event-id';
export { currencyDecimals, toMinorUnits } from './money';
export {
  applyOrderEvent,
  hashCustomerEmail,
  orderView,
  type CommerceProvider,
  type Customer,
  type LineItem,
  type OrderEvent,
  type OrderFields,
  type OrderState,
  type OrderStatus,
  type OrderView,
  type Refund,
} from './order-model';
export {
  normaliseOrderWebhook,
  ORDER_TOPICS,
  type OrderNormalisation,
  type OrderWebhook,
} from './order-normalisers';
export {
  DEFAULT_MAX_ANONYMOUS_IDS_PER_PROFILE,
  DEFAULT_MAX_MERGES_PER_PROFILE,
  emptyIdentityGraph,
  linkIdentities,
  resolveProfileId,
  type IdentityConflict,
  type IdentityGraph,
  type IdentityLink,
  type IdentityMerge,
  type IdentityOptions,
  type IdentityProfile,
  type LinkResult,
} from './identity-graph';
