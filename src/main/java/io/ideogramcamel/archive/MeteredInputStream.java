package io.ideogramcamel.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

import io.ideogramcamel.Sha256;

/**
 * Passes an image through unchanged while counting its bytes and hashing them, so size and sha256
 * are known once the object store has read the stream, without the image ever being held in
 * memory. Reading past the limit fails the read: a host sending more than announced (or
 * announcing nothing) cannot make the bundle store an unbounded object.
 */
public class MeteredInputStream extends FilterInputStream {

    private final MessageDigest sha256;
    private final long maxBytes;
    private final long deadlineNanos;
    private long size;

    public MeteredInputStream(InputStream in, long maxBytes) {
        this(in, maxBytes, Long.MAX_VALUE);
    }

    /**
     * @param maxNanos how long the whole stream may take; past it a read fails. An archive holds a
     *                 lease on its generation, and an image that trickles in for longer than the
     *                 lease would let a second worker archive the same generation meanwhile.
     */
    public MeteredInputStream(InputStream in, long maxBytes, long maxNanos) {
        super(in);
        this.maxBytes = maxBytes;
        long now = System.nanoTime();
        this.deadlineNanos = maxNanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + maxNanos;
        this.sha256 = Sha256.newDigest();
    }

    @Override
    public int read() throws IOException {
        checkDeadline();
        int b = in.read();
        if (b >= 0) {
            count(1);
            sha256.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        checkDeadline();
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            count(n);
            sha256.update(buffer, offset, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipping would leave bytes out of the hash
        throw new IOException("skip is not supported on an image being archived");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void checkDeadline() throws ImageTooSlowException {
        if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
            throw new ImageTooSlowException();
        }
    }

    private void count(int n) throws ImageTooLargeException {
        size += n;
        if (size > maxBytes) {
            throw new ImageTooLargeException();
        }
    }

    public long size() {
        return size;
    }

    /** Hex sha256 of every byte read so far; call once, after the stream was read to its end. */
    public String sha256Hex() {
        return Sha256.hex(sha256);
    }

    /** Transient like any other I/O failure: the image is tried again later, within the lease. */
    public static class ImageTooSlowException extends IOException {
        public ImageTooSlowException() {
            super("image_too_slow", null);
        }
    }

    /** An IOException so stream consumers (the S3 client, the file writer) stop and rethrow it. */
    public static class ImageTooLargeException extends IOException {
        public ImageTooLargeException() {
            super("image_too_large", null);
        }
    }
}
