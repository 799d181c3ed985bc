// Checks that the Vercel AI SDK's OpenAI provider, whose openai('model') speaks the Responses
// API, works against a Parley gateway unchanged. Exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, tool, jsonSchema, stepCountIs, APICallError } from 'ai';

const baseURL = process.env.PARLEY_GATEWAY_URL ?? 'http://127.0.0.1:8787/v1';
const apiKey = process.env.PARLEY_GATEWAY_KEY ?? 'sk-parley-check';
const openai = createOpenAI({ baseURL, apiKey });
const weather = {
  get_weather: tool({
    description: 'The weather in a city',
    inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } } }),
    execute: async ({ city }) => `sunny in ${city}`,
  }),
};

async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? ` -- ${detail}` : ''}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e?.stack ?? e}${e?.responseBody ? `\n${e.responseBody}` : ''}`);
    process.exitCode = 1;
  }
}

await check('generateText (POST /v1/responses)', async () => {
  const r = await generateText({ model: openai('gpt-4o-mini'), system: 'Be brief.', prompt: 'Say hello', maxRetries: 0 });
  assert.equal(r.text, 'Hello from Parley.');
  assert.equal(r.finishReason, 'stop');
  assert.deepEqual([r.usage.inputTokens, r.usage.outputTokens, r.usage.totalTokens], [12, 5, 17]);
  return `text "${r.text}"`;
});

await check('streamText', async () => {
  const s = streamText({ model: openai('gpt-4o-mini'), prompt: 'Say hello', maxRetries: 0 });
  let text = '';
  for await (const delta of s.textStream) text += delta;
  assert.equal(text, 'Hello from Parley.');
  assert.equal(await s.finishReason, 'stop');
  assert.equal((await s.usage).totalTokens, 17);
  return `text "${text}"`;
});

await check('a tool call runs the tool (alias route "tools")', async () => {
  const r = await generateText({ model: openai('tools'), prompt: 'Weather in Paris?', tools: weather, maxRetries: 0 });
  assert.equal(r.finishReason, 'tool-calls');
  assert.deepEqual(r.toolCalls.map((c) => [c.toolName, c.input]), [['get_weather', { city: 'Paris' }]]);
  assert.deepEqual(r.toolResults.map((t) => t.output), ['sunny in Paris']);
  return JSON.stringify(r.toolCalls[0].input);
});

for (const store of [true, false]) {
  await check(`two steps send the call and its result back (store: ${store})`, async () => {
    const r = await generateText({ model: openai('tools'), prompt: 'Weather in Paris?', tools: weather, maxRetries: 0,
      stopWhen: stepCountIs(2), providerOptions: { openai: { store } } });
    assert.equal(r.steps.length, 2);
    return r.steps.map((s) => s.finishReason).join(', ');
  });
}

await check('two streamed steps', async () => {
  const s = streamText({ model: openai('tools'), prompt: 'Weather in Paris?', tools: weather, maxRetries: 0,
    stopWhen: stepCountIs(2), onError: () => {} });
  for await (const part of s.fullStream) assert.notEqual(part.type, 'error', JSON.stringify(part));
  assert.equal((await s.steps).length, 2);
  return `${(await s.steps).length} steps`;
});

await check('wrong key is an APICallError with status 401', async () => {
  const bad = createOpenAI({ baseURL, apiKey: 'sk-wrong' });
  await assert.rejects(generateText({ model: bad('x'), prompt: 'hi', maxRetries: 0 }),
    (e) => APICallError.isInstance(e) && e.statusCode === 401 && !String(e.message).includes('sk-wrong'));
  return 'rejected as expected';
});
