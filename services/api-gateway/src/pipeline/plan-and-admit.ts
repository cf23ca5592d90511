import type { CompleteInput } from '../validation/validate-request';
import { holdLease, requestLeaseEarly, type HeldLease, type IntervalTimers } from './lease';
import { planCompletion, type CompletionPlan } from './plan-completion';
import type { GatewayPorts, PipelineObserver } from './ports';

/** A planned completion: the cache's answer, or (a miss) the queue slot it holds. */
export type AdmittedCompletion =
  | (CompletionPlan & { hit: NonNullable<CompletionPlan['hit']>; lease?: undefined })
  | (CompletionPlan & { hit?: undefined; lease: HeldLease });

/**
 * Model selection, cache lookup and, for a miss, the queue slot: every completion's first steps, streamed or not.
 * When the request names its model, the slot's pool is known up front, so the Acquire runs beside the selection and
 * the lookup (ADR 0041): a miss is admitted one hop sooner. A hit, a failed selection or a selection of another
 * model abandons the early slot (the wait is cancelled or the slot given straight back), so the cache never waits
 * for the queue and a refusal from the queue costs a hit nothing.
 */
export async function planAndAdmit(
  tenant: string,
  input: CompleteInput,
  ports: Pick<GatewayPorts, 'modelRouter' | 'cache' | 'queue'>,
  observer: PipelineObserver,
  timers?: IntervalTimers,
): Promise<AdmittedCompletion> {
  const slot = (pool: string) => ({ pool, tenant, priority: input.priority });
  const named = input.model.trim();
  const early = named ? requestLeaseEarly(ports.queue, slot(named), observer, timers) : undefined;
  let plan: CompletionPlan;
  try {
    plan = await planCompletion(tenant, input, ports, observer);
  } catch (err) {
    early?.abandon();
    throw err;
  }
  const { hit, ...miss } = plan;
  if (hit) {
    early?.abandon();
    return { ...miss, hit };
  }
  if (early && plan.route.model === named) return { ...miss, lease: await early.lease };
  early?.abandon();
  return { ...miss, lease: await holdLease(ports.queue, slot(plan.route.model), observer, timers) };
}
