// Preloaded with NODE_OPTIONS=--require (Node 20 refuses --cpu-prof there): the same V8 CPU profile `node --cpu-prof`
// writes, started at load and saved to CPU_PROF_DIR when the process exits. The main-thread inspector session
// answers synchronously, so the profile can be written from the 'exit' handler. SIGUSR2 discards what was sampled so
// far and starts again, so the profile holds the steady state only (start-up and warm-up excluded).
const fs = require('node:fs');
const path = require('node:path');
const inspector = require('node:inspector');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('SIGUSR2', () => {
  session.post('Profiler.stop');
  session.post('Profiler.start');
});
process.on('exit', () => {
  session.post('Profiler.stop', (err, result) => {
    if (err || !result) return;
    fs.writeFileSync(path.join(process.env.CPU_PROF_DIR || '.', `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
