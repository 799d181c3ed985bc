package dev.parley.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.CallInfo;
import dev.parley.Llm;
import dev.parley.LlmListener;
import dev.parley.testing.ScriptedProvider;

/** The listener hears what a call waits for, and how long, before the limiter makes it wait. */
class WaitNoticeTest {

    @Test
    void aCallThatMustWaitForAPermit_isAnnounced() {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        Llm llm = Llm.newBuilder().defaultModel("m")
                .provider(ScriptedProvider.newBuilder("scripted").reply("hi").build())
                .rateLimit(RateLimitPolicy.newBuilder().requestsPerWindow(1, Duration.ofMillis(300)).build())
                .listener(new LlmListener() {
                    @Override
                    public void onWait(CallInfo call, String what, Duration wait) {
                        heard.add(call.operation() + " " + what + " " + (wait.isPositive() && wait.toMillis() <= 300));
                    }
                })
                .build();
        llm.chat("one");
        assertEquals(List.of(), heard);
        llm.chat("two");
        assertEquals(1, heard.size(), heard.toString());
        assertTrue(heard.get(0).startsWith("chat a rate-limit permit: the request limit ("), heard.get(0));
        assertTrue(heard.get(0).endsWith(" true"), heard.get(0));
    }
}
