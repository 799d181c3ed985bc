package dev.parley;

import java.util.Base64;
import java.util.Objects;

/**
 * One part of a message's content: text, or an image given by URL or as base64 data.
 */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image {

    /**
     * {@return a text part}
     *
     * @param text the text
     */
    static Text text(String text) {
        return new Text(text);
    }

    /**
     * {@return an image part that the provider fetches from {@code url} (http, https or a data URL)}
     *
     * @param url where the image is
     */
    static Image imageUrl(String url) {
        return new Image(url, null, null);
    }

    /**
     * {@return an image part sent inline}
     *
     * @param mediaType such as {@code image/png}
     * @param base64    the image bytes in standard base64
     */
    static Image imageBase64(String mediaType, String base64) {
        return new Image(null, mediaType, base64);
    }

    /**
     * A text part.
     *
     * @param text the text; not null
     */
    record Text(String text) implements ContentPart {
        /** Validates the part. */
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image, either a URL or inline base64 data with its media type.
     *
     * @param url       the image URL, or null for inline data
     * @param mediaType the media type of inline data, such as {@code image/jpeg}; null with a URL
     * @param base64    the inline data in base64; null with a URL
     */
    record Image(String url, String mediaType, String base64) implements ContentPart {
        /** Validates that exactly one form is given. */
        public Image {
            if ((url == null) == (base64 == null)) {
                throw new IllegalArgumentException("image: give either url or base64 data, not both or neither");
            }
            if (base64 != null) {
                if (mediaType == null || !mediaType.startsWith("image/")) {
                    throw new IllegalArgumentException("image.mediaType: expected a type such as image/png, got " + mediaType);
                }
                try {
                    Base64.getDecoder().decode(base64.length() > 64 ? base64.substring(0, 64) : base64);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("image.base64: not base64 data (" + e.getMessage() + ")");
                }
            }
        }

        /** {@return a {@code data:} URL for inline data, or the URL} */
        public String asUrl() {
            return url != null ? url : "data:" + mediaType + ";base64," + base64;
        }

        @Override
        public String toString() {
            return url != null ? "Image[url=" + url + "]"
                    : "Image[mediaType=" + mediaType + ", base64=" + base64.length() + " chars]";
        }
    }
}
