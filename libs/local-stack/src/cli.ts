import path from 'node:path';
import { startStack, WORKSPACE_ROOT } from './stack';

/**
 * `npm start`: the whole of Switchyard on localhost, one process per service, until Ctrl-C.
 * `npm run start:one-process` (`--one-process`): the six services in one process, simulators beside it.
 */
async function main(): Promise<void> {
  const topology = process.argv.includes('--one-process') ? 'one-process' : 'processes';
  const logDir = path.join(WORKSPACE_ROOT, '.switchyard', 'logs');
  const realRegions = process.env.REGIONS;
  console.log(realRegions ? 'Using the regions in REGIONS (no simulators).' : 'Starting four upstream-sim regions (set REGIONS to use real endpoints).');
  const stack = await startStack({
    topology,
    ports: 'fixed',
    logDir,
    regions: realRegions,
    onReady: (service) => console.log(`  ready  ${service.name.padEnd(24)} ${service.address}  (pid ${service.pid})`),
  });
  if (stack.metricsTargets.length > 0) {
    console.log('\nPrometheus endpoints (OTEL_METRICS_EXPORTER=prometheus):');
    for (const target of stack.metricsTargets) console.log(`  metrics ${target.name.padEnd(24)} ${target.url}`);
  }
  console.log(`\nSwitchyard gateway listening on ${stack.gatewayAddress} (gRPC) and ${stack.gatewayHttpUrl}/v1 (OpenAI-compatible HTTP).`);
  console.log(`Logs: ${logDir}. Ctrl-C stops everything.`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const service of stack.services) {
    service.exited.then((code) => {
      if (stopping) return;
      console.error(`${service.name} exited unexpectedly (code ${code}); see ${logDir}. Stopping the rest.`);
      stop();
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
