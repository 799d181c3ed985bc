// Checks that the official OpenAI Node client works against a Parley gateway, unchanged.
// Run by hand; see README.md next to this file. Exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.PARLEY_GATEWAY_URL ?? 'http://127.0.0.1:8787/v1';
const apiKey = process.env.PARLEY_GATEWAY_KEY ?? 'sk-parley-check';
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });

async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? ` -- ${detail}` : ''}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
    process.exitCode = 1;
  }
}

await check('plain chat', async () => {
  const r = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }],
    temperature: 0.2,
    max_completion_tokens: 50,
  });
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.model, 'gpt-4o-mini');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.choices[0].message.content, 'Hello from Parley.');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.deepEqual([r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.total_tokens], [12, 5, 17]);
  return JSON.stringify(r.choices[0].message);
});

await check('streamed chat with include_usage', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.choices.length > 0) {
      text += chunk.choices[0].delta.content ?? '';
      finish = chunk.choices[0].finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, 'Hello from Parley.');
  assert.equal(finish, 'stop');
  assert.equal(usage.total_tokens, 17);
  return `${chunks} chunks, text "${text}", usage ${JSON.stringify(usage)}`;
});

await check('stream helper (runner) assembles the message', async () => {
  const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'Hello from Parley.');
  return `finalChatCompletion content "${final.choices[0].message.content}"`;
});

await check('slow stream with SSE heartbeat comments in between', async () => {
  const stream = await client.chat.completions.create({
    model: 'slow', messages: [{ role: 'user', content: 'count' }], stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'one two three');
  return `text "${text}"`;
});

await check('tool call (alias route "tools")', async () => {
  const r = await client.chat.completions.create({
    model: 'tools',
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    tool_choice: 'auto',
  });
  const call = r.choices[0].message.tool_calls[0];
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
  return JSON.stringify(call);
});

await check('embeddings (client default: base64)', async () => {
  const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
  assert.equal(r.object, 'list');
  assert.equal(r.data.length, 2);
  assert.equal(r.data[0].embedding.length, 8);
  assert.ok(r.data[0].embedding.every(Number.isFinite));
  const norm = Math.sqrt(r.data[0].embedding.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-5, `unit vector, norm ${norm}`);
  return `2 vectors of ${r.data[0].embedding.length}, norm ${norm.toFixed(6)}`;
});

await check('embeddings (encoding_format float) agree with base64', async () => {
  const f = await client.embeddings.create({ model: 'e', input: 'hello', encoding_format: 'float' });
  const b = await client.embeddings.create({ model: 'e', input: 'hello' });
  // JSON floats are the shortest decimals of float32 values; base64 carries the float32 bits.
  // Rounded to float32, both must be the very same numbers.
  assert.deepEqual(f.data[0].embedding.map(Math.fround), b.data[0].embedding);
  return `same float32 values, e.g. ${f.data[0].embedding[0]} (JSON) = ${b.data[0].embedding[0]} (base64)`;
});

await check('models list and retrieve', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['tools', 'tools/tool-model', 'slow', 'slow/slow-model', 'scripted-large']);
  const one = await client.models.retrieve('tools/tool-model');
  assert.equal(one.id, 'tools/tool-model');
  return ids.join(', ');
});

await check('wrong key is an AuthenticationError (401)', async () => {
  const bad = new OpenAI({ baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
  await assert.rejects(
    bad.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
    (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && !String(e.message).includes('sk-wrong'));
  return 'rejected as expected';
});

await check('bad request is a BadRequestError (400) with its param', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }], temperature: 5 }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'temperature');
  return 'rejected as expected';
});

await check('unknown model without a route prefix goes to the default route', async () => {
  const r = await client.chat.completions.create({ model: 'meta-llama/Llama-3-8b', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(r.model, 'meta-llama/Llama-3-8b');
  return `answered by the default route as "${r.model}"`;
});

await check('responses.create (Responses API, plain)', async () => {
  const r = await client.responses.create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Say hello' });
  assert.equal(r.object, 'response');
  assert.match(r.id, /^resp_/);
  assert.equal(r.status, 'completed');
  assert.equal(r.model, 'gpt-4o-mini');
  assert.equal(r.instructions, 'Be brief.');
  assert.equal(r.output_text, 'Hello from Parley.');
  assert.equal(r.output[0].type, 'message');
  assert.deepEqual([r.usage.input_tokens, r.usage.output_tokens, r.usage.total_tokens], [12, 5, 17]);
  return `output_text "${r.output_text}", usage ${JSON.stringify(r.usage)}`;
});

await check('responses.create with stream: true', async () => {
  const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello', stream: true });
  const types = [];
  let text = '';
  let completed = null;
  let sequence = -1;
  for await (const event of stream) {
    types.push(event.type);
    assert.equal(event.sequence_number, sequence + 1);
    sequence = event.sequence_number;
    if (event.type === 'response.output_text.delta') text += event.delta;
    if (event.type === 'response.completed') completed = event.response;
  }
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  assert.equal(text, 'Hello from Parley.');
  assert.equal(completed.output[0].content[0].text, 'Hello from Parley.');
  assert.equal(completed.usage.total_tokens, 17);
  return `${types.length} events, text "${text}"`;
});

await check('responses.stream helper assembles the response', async () => {
  const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Say hello' });
  let deltas = '';
  stream.on('response.output_text.delta', (e) => { deltas += e.delta; });
  const final = await stream.finalResponse();
  assert.equal(final.output_text, 'Hello from Parley.');
  assert.equal(deltas, 'Hello from Parley.');
  return `finalResponse output_text "${final.output_text}"`;
});

await check('responses function tool round trip (alias route "tools")', async () => {
  const tools = [{ type: 'function', name: 'get_weather', strict: false,
    parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
  const first = await client.responses.create({ model: 'tools', input: 'Weather in Paris?', tools });
  const call = first.output.find((i) => i.type === 'function_call');
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
  const second = await client.responses.create({
    model: 'tools', tools,
    input: [{ role: 'user', content: 'Weather in Paris?' }, ...first.output,
      { type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
  });
  assert.equal(second.status, 'completed');
  return `call ${JSON.stringify(call)}; second turn accepted`;
});

await check('previous_response_id is a BadRequestError (400) naming it', async () => {
  await assert.rejects(
    client.responses.create({ model: 'x', input: 'hi', previous_response_id: 'resp_123' }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'previous_response_id');
  return 'rejected as expected';
});
