package io.ideogramcamel.archive;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The pixels of variants: decode a source once (bounded), cover-resize and centre-crop it to each
 * size, encode. No state; Camel-free so the tests and the benchmark call it directly.
 */
public final class VariantRenderer {

    private VariantRenderer() {
    }

    /** Why a source gave no variants; the token is recorded as each variant's failure_reason. */
    public static final class SourceRefusedException extends Exception {
        private final String reason;

        public SourceRefusedException(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /**
     * Decodes the first image of a file. Its size and sample layout are read from the header first:
     * a decode of more than {@code maxPixels}, or whose decoded raster would take more than
     * {@code maxBytes} of heap, is refused {@code too_large} before any pixel is decoded. A source
     * far bigger than the largest variant needs is decoded with source subsampling (every n-th
     * pixel), keeping at least twice the pixels the most demanding variant scales from.
     *
     * @throws SourceRefusedException {@code undecodable} (no reader, a corrupt body) or {@code too_large}
     */
    public static BufferedImage decode(Path source, List<VariantSpec> specs, long maxPixels, long maxBytes)
            throws IOException, SourceRefusedException {
        try (ImageInputStream in = ImageIO.createImageInputStream(source.toFile())) {
            ImageReader reader = reader(in);
            try {
                reader.setInput(in, true, true);
                return read(reader, bounded(reader, specs, maxPixels, maxBytes));
            } finally {
                reader.dispose();
            }
        }
    }

    private static ImageReader reader(ImageInputStream in) throws SourceRefusedException {
        Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
        if (readers == null || !readers.hasNext()) {
            throw new SourceRefusedException("undecodable");
        }
        return readers.next();
    }

    /** From the header alone: the read's subsampling, or too_large when even that is over a limit. */
    private static ImageReadParam bounded(ImageReader reader, List<VariantSpec> specs, long maxPixels, long maxBytes)
            throws SourceRefusedException {
        int width;
        int height;
        long bytesPerPixel;
        try {
            width = reader.getWidth(0);
            height = reader.getHeight(0);
            bytesPerPixel = bytesPerPixel(reader.getRawImageType(0));
        } catch (IOException | RuntimeException e) {
            throw new SourceRefusedException("undecodable");
        }
        if (width < 1 || height < 1) {
            throw new SourceRefusedException("undecodable");
        }
        int step = subsampling(width, height, specs);
        // the limits are on what is decoded: a huge source read every n-th pixel may pass
        long pixels = (long) ceilDiv(width, step) * ceilDiv(height, step);
        if (pixels > maxPixels || pixels > maxBytes / bytesPerPixel) {
            throw new SourceRefusedException(VariantWork.TOO_LARGE);
        }
        ImageReadParam param = reader.getDefaultReadParam();
        if (step > 1) {
            param.setSourceSubsampling(step, step, 0, 0);
        }
        return param;
    }

    /**
     * Heap bytes a decoded pixel of this layout takes: one data element for a packed layout, one
     * per band otherwise (a 16-bit RGBA PNG: 4 x 2 = 8). Unknown: 8, the most a common image takes.
     */
    static long bytesPerPixel(ImageTypeSpecifier raw) {
        if (raw == null) {
            return 8;
        }
        SampleModel model = raw.getSampleModel();
        long elementBytes = Math.max(1, DataBuffer.getDataTypeSize(model.getDataType()) / 8);
        return model instanceof SinglePixelPackedSampleModel || model instanceof MultiPixelPackedSampleModel
                ? elementBytes : elementBytes * model.getNumBands();
    }

    private static BufferedImage read(ImageReader reader, ImageReadParam param) throws SourceRefusedException {
        try {
            return reader.read(0, param);
        } catch (IOException | RuntimeException e) {
            // a truncated or corrupt body: the image stays stored, its variants are FAILED
            throw new SourceRefusedException("undecodable");
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Every n-th pixel still leaves at least twice what the most demanding variant scales from. */
    static int subsampling(int width, int height, List<VariantSpec> specs) {
        double scale = 0;
        for (VariantSpec spec : specs) {
            scale = Math.max(scale, coverScale(width, height, spec.width(), spec.height()));
        }
        if (scale <= 0) {
            return 1;
        }
        return Math.max(1, (int) Math.floor(1 / (2 * scale)));
    }

    private static double coverScale(int width, int height, int targetWidth, int targetHeight) {
        return Math.max((double) targetWidth / width, (double) targetHeight / height);
    }

    /**
     * Exactly width x height of the spec: the largest centred region of the source with the
     * target's aspect ratio, scaled to it. Downscaling halves step by step (bilinear), then one
     * bicubic step to the exact size, so thin lines survive a large reduction.
     */
    public static BufferedImage cover(BufferedImage source, VariantSpec spec) {
        int tw = spec.width();
        int th = spec.height();
        double scale = coverScale(source.getWidth(), source.getHeight(), tw, th);
        int cropWidth = Math.min(source.getWidth(), (int) Math.round(tw / scale));
        int cropHeight = Math.min(source.getHeight(), (int) Math.round(th / scale));
        int x = (source.getWidth() - cropWidth) / 2;
        int y = (source.getHeight() - cropHeight) / 2;
        boolean alpha = source.getColorModel().hasAlpha() && !spec.format().equals("jpeg");
        int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage current = source.getSubimage(x, y, cropWidth, cropHeight);
        int w = cropWidth;
        int h = cropHeight;
        while (w / 2 >= tw && h / 2 >= th) {
            w /= 2;
            h /= 2;
            current = draw(current, w, h, type, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        }
        return draw(current, tw, th, type, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    }

    private static BufferedImage draw(BufferedImage from, int width, int height, int type, Object interpolation) {
        BufferedImage to = new BufferedImage(width, height, type);
        Graphics2D g = to.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
            g.drawImage(from, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return to;
    }

    /** The image in the spec's format; webp and jpeg lossy at the spec's quality. */
    public static byte[] encode(BufferedImage image, VariantSpec spec) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(spec.format());
        if (!writers.hasNext()) {
            throw new IOException("no ImageIO writer for " + spec.format());
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // in memory: ImageIO's own stream would cache each encode in a temporary file (java.io.tmpdir)
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (!spec.format().equals("png") && param.canWriteCompressed()) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                if (spec.format().equals("webp")) {
                    param.setCompressionType("Lossy");
                }
                param.setCompressionQuality(spec.quality() / 100f);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
