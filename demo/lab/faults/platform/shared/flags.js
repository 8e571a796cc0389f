'use strict';
// Feature flags from a flagd flag-definition file (https://flagd.dev/reference/flag-definitions/),
// read at run time and re-read when it changes, as flagd's file sync does. Every evaluation is
// recorded on the active span as a `feature_flag.evaluation` event with the OpenTelemetry
// semantic-convention attributes, so a trace shows which variant a request ran.
const fs = require('node:fs');
const api = require('@opentelemetry/api');

const PROVIDER = 'flagd';
const POLL_MS = 1000;

function createFlags(telemetry, file = process.env.FLAGD_OFFLINE_FLAG_SOURCE_PATH) {
  let flags = {};
  let loadedFrom;

  function load() {
    if (!file) return;
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
      flags = parsed && typeof parsed.flags === 'object' && parsed.flags ? parsed.flags : {};
      loadedFrom = file;
      telemetry.log('info', `feature flags loaded from ${file}: ${Object.keys(flags).length} flags`, { 'feature_flag.provider.name': PROVIDER });
    } catch (err) {
      // A broken file keeps the last good flags, as flagd does.
      telemetry.log('error', `feature flags not reloaded from ${file}: ${err.message}`, { 'feature_flag.provider.name': PROVIDER, 'error.type': err.code || err.name });
    }
  }

  function resolve(key, defaultValue) {
    const flag = flags[key];
    if (!flag) return { value: defaultValue, reason: 'error', errorType: 'flag_not_found' };
    if (flag.state === 'DISABLED') return { value: defaultValue, reason: 'disabled' };
    const variants = flag.variants || {};
    if (!(flag.defaultVariant in variants)) return { value: defaultValue, reason: 'error', errorType: 'general' };
    const value = variants[flag.defaultVariant];
    if (typeof value !== typeof defaultValue) return { value: defaultValue, reason: 'error', errorType: 'type_mismatch' };
    return { value, variant: flag.defaultVariant, reason: 'static' };
  }

  function booleanValue(key, defaultValue, context = {}) {
    const result = resolve(key, defaultValue);
    const attributes = {
      'feature_flag.key': key,
      'feature_flag.provider.name': PROVIDER,
      'feature_flag.result.reason': result.reason,
      'feature_flag.result.value': result.value,
    };
    if (result.variant !== undefined) attributes['feature_flag.result.variant'] = result.variant;
    if (context.targetingKey) attributes['feature_flag.context.id'] = context.targetingKey;
    if (result.errorType) attributes['error.type'] = result.errorType;
    const span = api.trace.getActiveSpan();
    if (span) span.addEvent('feature_flag.evaluation', attributes);
    return result.value;
  }

  load();
  if (file) {
    fs.watchFile(file, { interval: POLL_MS }, (current, previous) => {
      if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size) load();
    }).unref();
  }
  return { booleanValue, source: () => loadedFrom };
}

module.exports = { createFlags };
