package io.ideogramcamel.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An image on its way to S3, copied to a spool file as it is read, so its variants are decoded from
 * that file instead of a second download from the bucket. The copy is a convenience: if it cannot be
 * written (disk full), it is dropped and the image's put goes on; the variants then read the object
 * back. Whether the copy is whole is checked against the recorded size before it is used.
 */
final class CopyingInputStream extends FilterInputStream {

    private final Path file;
    private OutputStream copy;

    CopyingInputStream(InputStream in, Path file) throws IOException {
        super(in);
        this.file = file;
        this.copy = Files.newOutputStream(file);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            copy(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            copy(buffer, offset, n);
        }
        return n;
    }

    /** Skipped bytes would leave a hole in the copy: read them through instead. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
        } finally {
            closeCopy();
        }
    }

    private void copy(byte[] buffer, int offset, int length) {
        if (copy == null) {
            return;
        }
        try {
            copy.write(buffer, offset, length);
        } catch (IOException e) {
            closeCopy();
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the sweep removes it later; the size check keeps it from being used
            }
        }
    }

    /** Closes the copy alone; also called when the exchange ends, whether or not the stream was closed. */
    void closeCopy() {
        if (copy != null) {
            try {
                copy.close();
            } catch (IOException ignored) {
                // a copy that did not flush is caught by the size check
            }
            copy = null;
        }
    }
}
