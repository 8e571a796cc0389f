'use strict';
// Payments: validates the card and authorizes the charge with the acquirer.
const crypto = require('node:crypto');
const { createTelemetry } = require('../../../shared/telemetry');
const { startServer, HttpError } = require('../../../shared/http-server');
const { validateCard } = require('./card-validation');
const { authorize } = require('./acquirer');
const config = require('../../../config/payments.json');

const telemetry = createTelemetry('payments');

async function charge({ body }) {
  const amount = Number(body.amount);
  if (!Number.isFinite(amount) || amount <= 0) throw new HttpError(400, 'amount must be a positive number');
  const card = validateCard(body.card, config.acceptedNetworks);
  if (amount > config.declineAbove) {
    telemetry.log('warn', 'charge declined: amount over the limit', { 'payment.amount': amount });
    return { status: 402, body: { declined: true, reason: 'amount over the limit' } };
  }
  const chargeId = 'ch_' + crypto.randomBytes(6).toString('hex');
  const authorization = await authorize(telemetry, { amount, currency: body.currency || 'EUR', card, reference: chargeId });
  return { status: 201, body: { chargeId, authorization: authorization.id, amount, currency: body.currency || 'EUR', network: card.network, last4: card.last4 } };
}

startServer({
  service: 'payments',
  telemetry,
  port: Number(process.env.PORT || config.port),
  routes: { 'POST /charge': charge },
});
