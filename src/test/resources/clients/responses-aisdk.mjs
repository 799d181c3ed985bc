// The Vercel AI SDK's default OpenAI provider (the Responses API), plain and streamed, through a
// Parley gateway whose upstream speaks another API; the texts expected come from the test.
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';

const openai = createOpenAI({ baseURL: process.env.PARLEY_GATEWAY_URL, apiKey: process.env.PARLEY_GATEWAY_KEY });

async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(`ok   ${name}${detail ? ` -- ${detail}` : ''}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e?.stack ?? e}${e?.responseBody ? `\n${e.responseBody}` : ''}`);
    process.exitCode = 1;
  }
}

await check('generateText', async () => {
  const r = await generateText({ model: openai('m'), prompt: 'Say hello', maxRetries: 0 });
  assert.equal(r.text, process.env.PARLEY_EXPECT_PLAIN);
  return `"${r.text.slice(0, 40)}"`;
});

await check('streamText', async () => {
  const s = streamText({ model: openai('m'), prompt: 'Say hello', maxRetries: 0 });
  let text = '';
  for await (const delta of s.textStream) text += delta;
  assert.equal(text, process.env.PARLEY_EXPECT_STREAM);
  return `"${text.slice(0, 40)}"`;
});
