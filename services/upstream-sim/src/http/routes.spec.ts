import { matchRoute } from './routes';

describe('matchRoute', () => {
  it('matches the OpenAI paths', () => {
    expect(matchRoute('POST', '/v1/chat/completions')).toEqual({ matched: true, route: { kind: 'chat-completions' } });
    expect(matchRoute('POST', '/v1/embeddings')).toEqual({ matched: true, route: { kind: 'embeddings' } });
    expect(matchRoute('GET', '/v1/models/gpt-4o')).toEqual({ matched: true, route: { kind: 'get-model', id: 'gpt-4o' } });
  });

  it('takes the model from an Azure deployment path, decoded', () => {
    expect(matchRoute('POST', '/openai/deployments/my%20gpt/chat/completions')).toEqual({
      matched: true,
      route: { kind: 'chat-completions', deployment: 'my gpt' },
    });
    expect(matchRoute('POST', '/openai/deployments/emb/embeddings')).toEqual({
      matched: true,
      route: { kind: 'embeddings', deployment: 'emb' },
    });
  });

  it('tolerates a trailing slash', () => {
    expect(matchRoute('GET', '/healthz/')).toEqual({ matched: true, route: { kind: 'health' } });
  });

  it('tells an unknown path from a known path with the wrong method', () => {
    expect(matchRoute('GET', '/v2/chat')).toEqual({ matched: false, reason: 'not-found' });
    expect(matchRoute('DELETE', '/admin/faults')).toEqual({ matched: false, reason: 'method-not-allowed', allow: ['GET', 'POST'] });
  });

  it('treats a badly encoded deployment as not found', () => {
    expect(matchRoute('POST', '/openai/deployments/%E0%A4%A/embeddings')).toEqual({ matched: false, reason: 'not-found' });
  });
});
