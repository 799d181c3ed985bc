package dev.parley.provider.bedrock;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 ({@code AWS4-HMAC-SHA256}), on the JDK's {@code MessageDigest} and
 * {@code Mac}: the canonical request, the string to sign, the signing key chain and the
 * {@code Authorization} header, as the AWS documentation and its test suite define them.
 *
 * <p>Paths are encoded as for every service but S3: each segment of the path as it goes on the
 * wire (already percent-encoded) is percent-encoded once more, so a model id
 * {@code a:0} travels as {@code a%3A0} and is signed as {@code a%253A0}, as the AWS SDKs do.
 * Paths are not normalized ({@code .} and {@code ..} are kept): Parley builds its own.
 *
 * <p>Stateless and thread-safe.
 */
final class SigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final HexFormat HEX = HexFormat.of();

    private SigV4() {
    }

    /**
     * What signing produced. {@link #toString()} leaves out the canonical request, which holds
     * the session token.
     *
     * @param canonicalRequest the canonical request
     * @param stringToSign     the string to sign
     * @param authorization    the {@code Authorization} header value
     */
    record Signature(String canonicalRequest, String stringToSign, String authorization) {
        @Override
        public String toString() {
            return "Signature[" + authorization + "]";
        }
    }

    /**
     * {@return the signature of a request}
     *
     * @param method      such as {@code POST}
     * @param path        the path as sent, percent-encoded, such as {@code /model/a%3A0/converse}
     * @param query       the query without {@code ?}, percent-encoded or not; empty for none
     * @param headers     the headers to sign, name and value, in any order and case; a name given
     *                    more than once has its values joined with commas, in order
     * @param payloadHash the lowercase hex SHA-256 of the body
     * @param credentials the key
     * @param region      such as {@code us-east-1}
     * @param service     such as {@code bedrock}
     * @param amzDate     the {@code x-amz-date} value, such as {@code 20150830T123600Z}
     */
    static Signature sign(String method, String path, String query, List<Map.Entry<String, String>> headers,
                          String payloadHash, AwsCredentials credentials, String region, String service,
                          String amzDate) {
        Map<String, String> canonical = new TreeMap<>();
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers) {
            grouped.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(trim(h.getValue()));
        }
        grouped.forEach((name, values) -> canonical.put(name, String.join(",", values)));
        StringBuilder creq = new StringBuilder()
                .append(method).append('\n')
                .append(canonicalUri(path)).append('\n')
                .append(canonicalQuery(query)).append('\n');
        canonical.forEach((name, value) -> creq.append(name).append(':').append(value).append('\n'));
        String signedHeaders = String.join(";", canonical.keySet());
        creq.append('\n').append(signedHeaders).append('\n').append(payloadHash);
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String sts = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(creq.toString().getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + credentials.secretAccessKey().value()).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = HEX.formatHex(hmac(key, sts));
        String authorization = ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
        return new Signature(creq.toString(), sts, authorization);
    }

    /** {@return {@code path} with each segment percent-encoded (once more, for a wire path); {@code /} for empty} */
    static String canonicalUri(String path) {
        if (path.isEmpty()) {
            return "/";
        }
        return encode(path, true);
    }

    /**
     * {@return the canonical query}: each parameter's name and value percent-decoded then encoded
     * the AWS way, sorted by name then value, joined with {@code &}
     */
    static String canonicalQuery(String query) {
        if (query.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String part : query.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            pairs.add(new String[] {encode(decode(name), false), encode(decode(value), false)});
        }
        pairs.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        StringBuilder out = new StringBuilder();
        for (String[] p : pairs) {
            out.append(out.isEmpty() ? "" : "&").append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** {@return {@code s} as UTF-8 with every byte but the unreserved ones (and {@code /} when kept) as {@code %XX}} */
    static String encode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~' || c == '/' && keepSlash) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** {@return {@code s} with its {@code %XX} escapes decoded as UTF-8}; a malformed escape is kept as it is */
    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int hi = i + 2 < bytes.length && bytes[i] == '%' ? Character.digit(bytes[i + 1], 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(bytes[i + 2], 16);
            if (lo >= 0) {
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@return the value trimmed, with every run of spaces inside it made one space} */
    private static String trim(String value) {
        return value.strip().replaceAll(" {2,}", " ");
    }

    /** {@return the lowercase hex SHA-256 of {@code bytes}} */
    static String sha256Hex(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256, which every Java SE runtime must have", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no HmacSHA256, which every Java SE runtime must have", e);
        }
    }
}
