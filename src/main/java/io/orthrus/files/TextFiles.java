package io.orthrus.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading UTF-8 text strictly: a byte that is not UTF-8 is reported by line and byte, never replaced. */
public final class TextFiles {
    private TextFiles() {}

    /**
     * The text of {@code file}, which must be a regular file of valid UTF-8; otherwise one line
     * such as {@code corpus.txt:12: invalid UTF-8 at byte 7} (the byte counted from 0 within the line).
     */
    public static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(JsonFiles.regularFile(file));
        try {
            return decode(bytes, 0, bytes.length);
        } catch (InvalidUtf8 e) {
            int line = 1, lineStart = 0;
            for (int i = 0; i < e.offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new IllegalArgumentException(file + ":" + line + ": invalid UTF-8 at byte " + (e.offset - lineStart));
        }
    }

    /** {@code bytes[from, to)} decoded as UTF-8; throws {@link InvalidUtf8} at the first byte that is not. */
    public static String decode(byte[] bytes, int from, int to) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from); // UTF-8 never has fewer bytes than UTF-16 chars
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidUtf8(in.position() - from);
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw new InvalidUtf8(in.position() - from);
        }
        return out.flip().toString();
    }

    /** Text that is not UTF-8: {@link #offset} is the first bad byte, counted from the start of the decoded range. */
    public static final class InvalidUtf8 extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        /** The first bad byte. */
        private final int offset;

        InvalidUtf8(int offset) {
            super("invalid UTF-8 at byte " + offset);
            this.offset = offset;
        }

        /** The first bad byte, counted from the start of the decoded range. */
        public int offset() {
            return offset;
        }
    }
}
