import { queueV1 } from '@switchyard/contracts';
import { unary, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { getTracer, inSpan } from '@switchyard/telemetry';
import { parsePriority, priorityName, type AdmissionController, type PoolStats } from './admission';

const tracer = getTracer('queue');

/** gRPC handlers of QueueService. Acquire holds the call open until the request is granted, expires or is shed. */
export function queueBinding(queue: AdmissionController, logger: Logger): ServiceBinding {
  const implementation: queueV1.QueueServiceServer = {
    acquire: unary(logger, 'Acquire', async (request: queueV1.AcquireRequest, ctx): Promise<queueV1.AcquireResponse> => {
      const priority = parsePriority(request.priority === 0 ? 3 : request.priority);
      return inSpan(
        tracer,
        'queue.wait',
        { attributes: { 'switchyard.pool': request.pool, 'switchyard.priority': priorityName(priority), 'switchyard.tenant': request.tenant } },
        async (span) => {
          const grant = await queue.acquire({
            pool: request.pool,
            tenant: request.tenant,
            priority,
            requestId: request.requestId,
            deadlineMs: ctx.deadline?.getTime(),
            signal: ctx.signal,
          });
          span.setAttribute('switchyard.queue.wait_ms', grant.queueWaitMs);
          // The caller left between the grant and our answer: nobody will release this lease, so we do.
          if (ctx.signal.aborted) await queue.release(request.pool, grant.leaseId);
          return grant;
        },
      );
    }),
    release: unary(logger, 'Release', async (request: queueV1.ReleaseRequest) => ({ released: await queue.release(request.pool, request.leaseId) })),
    renew: unary(logger, 'Renew', async (request: queueV1.RenewRequest) => ({ renewed: await queue.renew(request.pool, request.leaseId) })),
    stats: unary(logger, 'Stats', async (request: queueV1.StatsRequest): Promise<queueV1.StatsResponse> => ({
      pools: (await queue.stats(request.pool || undefined)).map(toProtoStats),
    })),
  };
  return { name: 'switchyard.queue.v1.QueueService', definition: queueV1.QueueServiceService, implementation };
}

function toProtoStats(stats: PoolStats): queueV1.PoolStats {
  return {
    pool: stats.pool,
    backend: stats.backend,
    replicas: stats.replicas,
    activeLeases: stats.activeLeases,
    maxConcurrent: stats.maxConcurrent,
    maxQueueSize: stats.maxQueueSize,
    depth: stats.depthByPriority.map(({ priority, depth }) => ({ priority, depth })),
    oldestWaitMs: Math.round(stats.oldestWaitMs),
    grantedTotal: String(stats.counters.granted),
    shedTotal: String(stats.counters.shed),
    expiredTotal: String(stats.counters.expired),
    tenantDepth: stats.depthByTenant.map(({ tenant, depth }) => ({ tenant, depth })),
    rejectedTotal: String(stats.counters.rejected),
    cancelledTotal: String(stats.counters.cancelled),
    lapsedTotal: String(stats.counters.lapsed),
    waiting: stats.waiting,
    leaseTtlMs: stats.leaseTtlMs,
    releasedTotal: String(stats.counters.released),
    minSharePercent: stats.minSharePercent,
    averageHoldMs: Math.max(0, Math.round(stats.averageHoldMs)),
  };
}
