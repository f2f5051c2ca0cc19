import { applyOrderEvent, normaliseOrderWebhook, type OrderState } from '@sextant/domain/ingestion';
import { PAYPAL_CAPTURE_COMPLETED, PAYPAL_CAPTURE_REFUNDED } from '@sextant/domain/ingestion/fixtures';
import { assertValidEvent } from '@sextant/platform/messaging';
import { orderRecordedPayload } from './order-payload';

const meta = {
  tenantId: '7d6f6a55-5a43-4c2e-9d7f-3b1c2a9e8f10',
  orderId: 'paypal:42311647XV020574X',
  sourceId: 'c0a8e1f2-1111-4222-8333-944455566677',
  revision: 1,
  profileId: null,
};

function stateOf(...bodies: unknown[]): OrderState | undefined {
  let state: OrderState | undefined;
  for (const body of bodies) {
    const normalised = normaliseOrderWebhook({ provider: 'paypal', body, emailSalt: meta.tenantId });
    if (!normalised.ok) throw new Error(JSON.stringify(normalised.problems));
    for (const event of normalised.events) state = applyOrderEvent(state, event);
  }
  return state;
}

describe('commerce.order.recorded.v1 payload', () => {
  it('is not published for a refund whose capture has not arrived (no currency, status or total yet)', () => {
    expect(orderRecordedPayload(stateOf(PAYPAL_CAPTURE_REFUNDED)!, meta)).toBeUndefined();
  });

  it('fills what PayPal does not send so the totals balance, and matches the event schema', () => {
    const payload = orderRecordedPayload(stateOf(PAYPAL_CAPTURE_REFUNDED, PAYPAL_CAPTURE_COMPLETED)!, meta);
    // From the fixture: a 402.00 USD capture on 2026-03-01 15:05 UTC, refunded 50.00 on 2026-03-03 14:00.
    expect(payload).toMatchObject({
      status: 'paid',
      currency: 'USD',
      reference: 'INV-1001',
      customer: { id: null, emailHash: null },
      lineItems: [],
      subtotalMinor: 40200,
      discountMinor: 0,
      taxMinor: 0,
      shippingMinor: 0,
      totalMinor: 40200,
      refunds: [
        {
          refundId: '1Y107995YT783435V',
          amountMinor: 5000,
          createdAt: '2026-03-03T14:00:00.000Z',
          lineItems: [],
        },
      ],
      refundedMinor: 5000,
      netRevenueMinor: 35200,
      placedAt: '2026-03-01T15:05:00.000Z',
      updatedAt: '2026-03-03T14:00:00.000Z',
    });
    expect(() => assertValidEvent('commerce.order.recorded.v1', payload)).not.toThrow();
  });
});
