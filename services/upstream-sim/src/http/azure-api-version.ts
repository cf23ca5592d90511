import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { RequestContext } from './request-context';

/** Azure rejects deployment calls without `api-version`; so does the simulator, to catch misconfigured clients. */
export function requireApiVersion(url: URL): void {
  if (!url.searchParams.get('api-version')) {
    throw new InvalidArgument('api-version', 'query parameter is required on Azure deployment paths');
  }
}

/** The model an Azure deployment serves (SIM_DEPLOYMENTS), or the deployment name itself when unmapped. */
export function modelOfDeployment(ctx: RequestContext, deployment: string | undefined): string | undefined {
  if (deployment === undefined) return undefined;
  return Object.hasOwn(ctx.deployments, deployment) ? ctx.deployments[deployment] : deployment;
}
