import { RemediationService, type RemediationServiceOptions } from './remediation-service';

/**
 * A remediation worker as a process of its own: starts the service and, on SIGTERM, stops taking
 * jobs and waits for the running ones before exiting (issue 4 §2 graceful shutdown). Used by the
 * kill -9 recovery test's child process; `warden start` wires the service itself.
 */
export async function runRemediationWorker(opts: RemediationServiceOptions & { exitOnSigterm?: boolean }): Promise<RemediationService> {
  const service = new RemediationService(opts);
  await service.start();
  if (opts.exitOnSigterm ?? true) {
    process.once('SIGTERM', () => {
      opts.log.info('SIGTERM: finishing running remediation jobs before exit');
      service.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          opts.log.error({ err }, 'remediation worker did not stop cleanly');
          process.exit(1);
        },
      );
    });
  }
  return service;
}
