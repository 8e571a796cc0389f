// A model server's metrics read through a real Prometheus (the Debian binary on 127.0.0.1) scraping a
// target this test serves: the prediction histogram of "price-model" moves to higher buckets half way,
// another model's series stay out of the answer, and latency and errors are read per model.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusSource } from '../../../../src/sources/prometheus';
import { readServingMetrics } from '../../../../src/sources/models/servingMetrics';
import { binariesAvailable, startPrometheus, waitFor, type RunningServer } from '../../../support/promStack';

const bounds = ['0.25', '0.5', '0.75', '+Inf'];

describe('model-server metrics through a real Prometheus', function () {
  this.timeout(90_000);
  let target: http.Server;
  let prometheus: RunningServer | undefined;
  let shifted = false;
  // Cumulative counts per bucket (non-cumulative increments are added below), for two models.
  const counts: Record<string, number[]> = { 'price-model': [0, 0, 0, 0], 'other-model': [0, 0, 0, 0] };
  let requests = 0;
  let errors = 0;

  function scrape(): string {
    // Each scrape, 10 predictions: low scores first, high scores after the shift; the other model never shifts.
    const add = (model: string, bucket: number) => {
      counts[model][bucket] += 10;
    };
    add('price-model', shifted ? 3 : 0);
    add('other-model', 0);
    requests += 10;
    errors += shifted ? 2 : 0;
    const lines = ['# TYPE model_prediction_score histogram'];
    for (const model of Object.keys(counts)) {
      let cumulative = 0;
      counts[model].forEach((c, i) => {
        cumulative += c;
        lines.push(`model_prediction_score_bucket{model="${model}",le="${bounds[i]}"} ${cumulative}`);
      });
      lines.push(`model_prediction_score_sum{model="${model}"} ${counts[model][0] * 0.1 + counts[model][3] * 0.9}`, `model_prediction_score_count{model="${model}"} ${cumulative}`);
    }
    lines.push('# TYPE model_request_duration_seconds histogram');
    lines.push(`model_request_duration_seconds_bucket{model="price-model",le="0.05"} ${requests * 0.9}`, `model_request_duration_seconds_bucket{model="price-model",le="0.2"} ${requests}`, `model_request_duration_seconds_bucket{model="price-model",le="+Inf"} ${requests}`);
    lines.push(`model_request_duration_seconds_sum{model="price-model"} ${requests * 0.04}`, `model_request_duration_seconds_count{model="price-model"} ${requests}`);
    lines.push('# TYPE model_requests_total counter', `model_requests_total{model="price-model"} ${requests}`, '# TYPE model_request_errors_total counter', `model_request_errors_total{model="price-model"} ${errors}`, '');
    return lines.join('\n');
  }

  before(async function () {
    const bins = binariesAvailable();
    if (!bins.ok) {
      console.warn(`skipping: ${bins.missing.join(', ')} not installed`);
      this.skip();
    }
    target = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(scrape());
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    prometheus = await startPrometheus(`global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: model-server\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`, 'groups: []\n');
  });

  after(async () => {
    await prometheus?.stop();
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  });

  it('reads the prediction histogram of one model in two halves of the window, with latency and error ratio', async () => {
    const prom = new PrometheusSource({ name: 'model-prom', url: prometheus!.url });
    await waitFor('the first scrape', async () => ((await prom.query('model_requests_total')).series.length > 0 ? true : undefined), 30_000);
    // Eight seconds of low predictions, then eight of high ones: the window's halves.
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 8000));
    shifted = true;
    await new Promise((r) => setTimeout(r, 8000));
    const end = Date.now();
    const m = await readServingMetrics(prom, { modelLabel: 'model', predictionHistogram: 'model_prediction_score', latencyHistogram: 'model_request_duration_seconds', errorCounter: 'model_request_errors_total', requestCounter: 'model_requests_total' }, 'price-model', { start, end });
    const b = m.predictionBuckets;
    assert.ok(b, 'no prediction buckets');
    assert.deepEqual(b.upperBounds, [0.25, 0.5, 0.75, Number.POSITIVE_INFINITY]);
    // Before the shift every prediction fell in the lowest bucket; after it, in the highest.
    assert.ok(b.earlier[0] > b.earlier[3], `earlier half ${b.earlier}`);
    assert.ok(b.later[3] > b.later[0], `later half ${b.later}`);
    const mean = (m.predictionMean?.values ?? []).filter(Number.isFinite);
    assert.ok(mean.length > 2 && mean[0] < 0.2 && mean[mean.length - 1] > 0.3, `the prediction mean did not rise: ${mean}`);
    assert.ok(m.latencyP95 && m.latencyP95.values.every((v) => v > 0.05 && v <= 0.2), `p95 ${m.latencyP95?.values}`);
    assert.ok(m.errorRatio && Math.max(...m.errorRatio.values.filter(Number.isFinite)) > 0.05, 'the error ratio after the shift is not seen');
    // The other model's predictions never moved and never reach this model's answer.
    const other = await readServingMetrics(prom, { modelLabel: 'model', predictionHistogram: 'model_prediction_score' }, 'other-model', { start, end });
    assert.equal(other.predictionBuckets?.later[3], 0);
  });
});
