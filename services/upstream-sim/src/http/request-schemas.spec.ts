import { InvalidArgument } from '@switchyard/service-kit/errors';
import { parseChatRequest, parseEmbeddingRequest, parseFaultPatch } from './request-schemas';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgument) return err.field;
    throw err;
  }
  throw new Error('expected InvalidArgument');
}

describe('parseChatRequest', () => {
  it('reads model, messages, limits and streaming options', () => {
    expect(
      parseChatRequest({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.2,
      }),
    ).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], maxTokens: 5, stream: true, includeUsage: true });
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    expect(parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 9, max_completion_tokens: 3 }).maxTokens).toBe(3);
  });

  it('flattens text parts and treats null content as empty', () => {
    const parsed = parseChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'b' }] },
        { role: 'assistant', content: null, tool_calls: [] },
      ],
    });
    expect(parsed.messages).toEqual([
      { role: 'user', content: 'a\nb' },
      { role: 'assistant', content: '' },
    ]);
  });

  it('takes the model from the Azure deployment', () => {
    expect(parseChatRequest({ messages: [{ role: 'user', content: 'x' }] }, 'dep').model).toBe('dep');
  });

  it('names the field that is wrong', () => {
    expect(fieldOf(() => parseChatRequest({ model: 'm' }))).toBe('messages');
    expect(fieldOf(() => parseChatRequest({ model: 'm', messages: [] }))).toBe('messages');
    expect(fieldOf(() => parseChatRequest({ messages: [{ role: 'user', content: 'x' }] }))).toBe('model');
    expect(fieldOf(() => parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 5 }] }))).toBe('messages[0].content');
    expect(fieldOf(() => parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }))).toBe('stream');
  });
});

describe('parseEmbeddingRequest', () => {
  it('accepts a string or an array of strings', () => {
    expect(parseEmbeddingRequest({ model: 'e', input: 'a' })).toEqual({ model: 'e', inputs: ['a'], dimensions: undefined, encoding: 'float' });
    expect(parseEmbeddingRequest({ model: 'e', input: ['a', 'b'], dimensions: 8, encoding_format: 'base64' })).toEqual({
      model: 'e',
      inputs: ['a', 'b'],
      dimensions: 8,
      encoding: 'base64',
    });
  });

  it('names the field that is wrong', () => {
    expect(fieldOf(() => parseEmbeddingRequest({ model: 'e' }))).toBe('input');
    expect(fieldOf(() => parseEmbeddingRequest({ model: 'e', input: [] }))).toBe('input');
    expect(fieldOf(() => parseEmbeddingRequest({ model: 'e', input: [1, 2] }))).toBe('input');
    expect(fieldOf(() => parseEmbeddingRequest({ model: 'e', input: 'x', dimensions: 5000 }))).toBe('dimensions');
    expect(fieldOf(() => parseEmbeddingRequest({ model: 'e', input: 'x', encoding_format: 'int8' }))).toBe('encoding_format');
  });
});

describe('parseFaultPatch', () => {
  it('accepts the known fields and rejects unknown ones', () => {
    expect(parseFaultPatch({ errorRate: 0.5, throttle: true })).toEqual({ errorRate: 0.5, throttle: true });
    expect(() => parseFaultPatch({ errorrate: 0.5 })).toThrow(InvalidArgument);
    expect(fieldOf(() => parseFaultPatch({ errorStatus: 200 }))).toBe('errorStatus');
  });
});
