import { InvalidArgument } from '@switchyard/service-kit/errors';

/** Azure rejects deployment calls without `api-version`; so does the simulator, to catch misconfigured clients. */
export function requireApiVersion(url: URL): void {
  if (!url.searchParams.get('api-version')) {
    throw new InvalidArgument('api-version', 'query parameter is required on Azure deployment paths');
  }
}
