// The official openai client's responses.create, plain and streamed, through a Parley gateway
// whose upstream speaks another API; the texts expected come from the test.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.PARLEY_GATEWAY_URL, apiKey: process.env.PARLEY_GATEWAY_KEY, maxRetries: 0 });

async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? ` -- ${detail}` : ''}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
    process.exitCode = 1;
  }
}

await check('responses.create', async () => {
  const r = await client.responses.create({ model: 'm', input: 'Say hello' });
  assert.equal(r.status, 'completed');
  assert.equal(r.output_text, process.env.PARLEY_EXPECT_PLAIN);
  return `"${r.output_text.slice(0, 40)}"`;
});

await check('responses.create with stream: true', async () => {
  const stream = await client.responses.create({ model: 'm', input: 'Say hello', stream: true });
  let text = '';
  let completed = false;
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') text += event.delta;
    if (event.type === 'response.completed') completed = true;
  }
  assert.ok(completed, 'response.completed arrived');
  assert.equal(text, process.env.PARLEY_EXPECT_STREAM);
  return `"${text.slice(0, 40)}"`;
});
