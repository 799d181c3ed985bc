package dev.parley.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException;
import dev.parley.http.HttpErrors;

class ScrubTest {

    @Test
    void controls_removeEscapesAndKeepOneLine() {
        assertEquals("bad request parley: forged]0;title[2J", Scrub.controls("bad request\nparley: forged\u001b]0;title\u0007\u001b[2J"));
        assertEquals("a b c", Scrub.controls("a\tb\u2028c\r\u0000\u009b\u202e"));
        String plain = "nothing to do: caf\u00e9 \u4e2d\u6587";
        assertSame(plain, Scrub.controls(plain));
        assertEquals(null, Scrub.controls((String) null));
        assertEquals("line 1\nline\t2", Scrub.keepingLines("line 1\r\nline\t2\u001b[2J".replace("[2J", "")));
    }

    @Test
    void networkErrors_carryNoControlCharacters() {
        LlmException e = HttpErrors.fromException("openai", new IOException("invalid status line: \"\u0000\u0000\u0000HTTP\""), null);
        assertFalse(e.getMessage().chars().anyMatch(c -> c < 0x20), e.getMessage());
        String trace = trace(Scrub.controls(e));
        assertFalse(trace.contains("\u0000"), trace);
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
