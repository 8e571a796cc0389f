'use strict';
// Preloaded (node --require) into every lab child process: when the lab supervisor goes away, even
// by SIGKILL, the IPC channel closes and the child shuts down instead of living on as an orphan.
if (typeof process.send === 'function') {
  process.on('disconnect', () => {
    setTimeout(() => process.exit(1), 3000).unref();
    process.kill(process.pid, 'SIGTERM');
  });
  // The channel only watches the parent; it must not keep an otherwise finished child alive.
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
}
