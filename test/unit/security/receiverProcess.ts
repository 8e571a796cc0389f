// A child process that runs the real OTLP receiver and store, for tests that measure its heap: the
// parent sends the traffic over HTTP, and asks for measurements after a full GC (run with --expose-gc).
import { TelemetryStore } from '../../../src/sources/otlp/store';
import { OtlpReceiver } from '../../../src/sources/otlp/receiver';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('run with --expose-gc as a forked child');
const maxBytes = Number(process.argv[2]);
const store = new TelemetryStore({ maxBytes });
const receiver = new OtlpReceiver({ port: 0, store });

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'measure') {
    gc();
    gc();
    process.send!({ heapUsed: process.memoryUsage().heapUsed, store: store.stats(), receiver: receiver.stats });
  } else if (m.cmd === 'stop') void receiver.stop().then(() => process.exit(0));
});

void receiver.start().then(({ port }) => process.send!({ port }));
