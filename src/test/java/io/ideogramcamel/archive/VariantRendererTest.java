package io.ideogramcamel.archive;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pixels: exact sizes, a centred crop, every format decodable, bad sources refused with their token. */
class VariantRendererTest {

    static final List<VariantSpec> DEFAULTS = List.of(
            new VariantSpec("og", 1200, 630, "webp", 85),
            new VariantSpec("thumb", 400, 400, "webp", 85),
            new VariantSpec("social", 1080, 1080, "webp", 85));

    /**
     * 2048 x 1024: a red left band (x < 512), a blue right band (x >= 1536), a green middle with a
     * black square in the very centre. A square crop that is centred keeps only the green middle (and
     * the square); one that is off-centre shows red or blue at an edge.
     */
    static BufferedImage banded(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.GREEN);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.RED);
        g.fillRect(0, 0, width / 4, height);
        g.setColor(Color.BLUE);
        g.fillRect(width * 3 / 4, 0, width - width * 3 / 4, height);
        g.setColor(Color.BLACK);
        g.fillRect(width / 2 - height / 8, height / 2 - height / 8, height / 4, height / 4);
        g.setColor(Color.WHITE);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, height / 10));
        g.drawString("CENTRE", width / 2 - height / 5, height / 2 + height / 4);
        g.dispose();
        return image;
    }

    static Path write(Path dir, BufferedImage image, String format) throws IOException {
        Path file = dir.resolve("source." + format);
        ImageIO.write(image, format, file.toFile());
        return file;
    }

    @Test
    void everyVariantHasExactlyItsSizeAndDecodesInItsFormat(@TempDir Path dir) throws Exception {
        Path source = write(dir, banded(2048, 1024), "png");
        BufferedImage decoded = VariantRenderer.decode(source, DEFAULTS, 50_000_000L, Long.MAX_VALUE);
        for (VariantSpec spec : List.of(DEFAULTS.get(0), DEFAULTS.get(1), DEFAULTS.get(2),
                new VariantSpec("p", 300, 500, "png", 85), new VariantSpec("j", 640, 360, "jpeg", 80))) {
            byte[] bytes = VariantRenderer.encode(VariantRenderer.cover(decoded, spec), spec);
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes));
            assertThat(back).as(spec.name()).isNotNull();
            assertThat(back.getWidth()).as(spec.name()).isEqualTo(spec.width());
            assertThat(back.getHeight()).as(spec.name()).isEqualTo(spec.height());
            assertThat(ImageIO.getImageReaders(ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))).next()
                    .getFormatName().toLowerCase()).as(spec.name()).contains(spec.format().equals("jpeg") ? "jp" : spec.format());
        }
    }

    @Test
    void theCropIsCentred(@TempDir Path dir) throws Exception {
        Path source = write(dir, banded(2048, 1024), "png");
        BufferedImage decoded = VariantRenderer.decode(source, DEFAULTS, 50_000_000L, Long.MAX_VALUE);
        // thumb 400x400 from 2048x1024: the middle 1024x1024, all green at both edges, black at the centre
        VariantSpec thumb = DEFAULTS.get(1);
        BufferedImage crop = ImageIO.read(new ByteArrayInputStream(
                VariantRenderer.encode(VariantRenderer.cover(decoded, thumb), thumb)));
        assertThat(dominant(crop.getRGB(3, 200))).isEqualTo("green");
        assertThat(dominant(crop.getRGB(396, 200))).isEqualTo("green");
        assertThat(dominant(crop.getRGB(200, 200))).isEqualTo("black");
        // og 1200x630 from 2048x1024 (aspect 1.9 vs 2.0): a little cut at both sides, equally
        VariantSpec og = DEFAULTS.get(0);
        BufferedImage wide = VariantRenderer.cover(decoded, og);
        assertThat(dominant(wide.getRGB(2, 315))).isEqualTo("red");
        assertThat(dominant(wide.getRGB(1197, 315))).isEqualTo("blue");
        assertThat(dominant(wide.getRGB(600, 315))).isEqualTo("black");
        // the red band is as wide on the left as the blue one on the right (within a pixel or two)
        assertThat(Math.abs(bandWidth(wide, 315, true) - bandWidth(wide, 315, false))).isLessThanOrEqualTo(2);
    }

    @Test
    void aCorruptOrUnknownSourceIsUndecodable(@TempDir Path dir) throws Exception {
        byte[] png = Files.readAllBytes(write(dir, banded(256, 128), "png"));
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 3));
        Path noise = dir.resolve("noise.bin");
        Files.write(noise, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3});
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "<svg/>");
        for (Path bad : List.of(truncated, noise, text)) {
            assertThatThrownBy(() -> VariantRenderer.decode(bad, DEFAULTS, 50_000_000L, Long.MAX_VALUE))
                    .as(bad.getFileName().toString())
                    .isInstanceOfSatisfying(VariantRenderer.SourceRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo("undecodable"));
        }
    }

    @Test
    void aSourceOverThePixelLimitIsTooLargeAndAFarLargerOneIsSubsampled(@TempDir Path dir) throws Exception {
        Path source = write(dir, banded(2048, 1024), "png");
        assertThatThrownBy(() -> VariantRenderer.decode(source, DEFAULTS, 2048L * 1024 - 1, Long.MAX_VALUE))
                .isInstanceOfSatisfying(VariantRenderer.SourceRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo("too_large"));
        // only a 100x50 variant wanted: every 5th pixel still leaves twice what it scales from
        List<VariantSpec> small = List.of(new VariantSpec("tiny", 100, 50, "png", 85));
        assertThat(VariantRenderer.subsampling(2048, 1024, small)).isEqualTo(10);
        BufferedImage decoded = VariantRenderer.decode(source, small, 2048L * 1024 - 1, Long.MAX_VALUE);
        assertThat(decoded.getWidth()).isEqualTo(205);
        assertThat(VariantRenderer.subsampling(2048, 2048, DEFAULTS)).isEqualTo(1);
    }

    @Test
    void theHeapLimitCountsTheDecodedBytesSoA16BitSourceNeedsTwiceAnEightBitOnesRoom(@TempDir Path dir)
            throws Exception {
        List<VariantSpec> big = List.of(new VariantSpec("big", 100, 100, "png", 85));
        Path eight = dir.resolve("gray8.png");
        ImageIO.write(new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY), "png", eight.toFile());
        Path sixteen = dir.resolve("gray16.png");
        ImageIO.write(new BufferedImage(100, 100, BufferedImage.TYPE_USHORT_GRAY), "png", sixteen.toFile());
        long room = 100 * 100 + 1;
        assertThat(VariantRenderer.decode(eight, big, 50_000_000L, room).getWidth()).isEqualTo(100);
        assertThatThrownBy(() -> VariantRenderer.decode(sixteen, big, 50_000_000L, room))
                .isInstanceOfSatisfying(VariantRenderer.SourceRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo("too_large"));
        assertThat(VariantRenderer.decode(sixteen, big, 50_000_000L, 2 * room).getWidth()).isEqualTo(100);
    }

    @Test
    void aDecodedPixelsBytesFollowItsLayout() {
        assertThat(VariantRenderer.bytesPerPixel(ImageTypeSpecifier.createInterleaved(
                ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {0, 1, 2, 3}, DataBuffer.TYPE_USHORT, true, false)))
                .as("16-bit RGBA").isEqualTo(8);
        assertThat(VariantRenderer.bytesPerPixel(ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_INT_RGB)))
                .as("packed").isEqualTo(4);
        assertThat(VariantRenderer.bytesPerPixel(ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_3BYTE_BGR)))
                .isEqualTo(3);
        assertThat(VariantRenderer.bytesPerPixel(null)).isEqualTo(8);
    }

    /** ImageIO's own output stream caches in a file there: a cache directory that is gone makes it fail. */
    @Test
    void anEncodeNeedsNoTemporaryFile(@TempDir Path dir) throws Exception {
        boolean cache = ImageIO.getUseCache();
        Path cacheDir = Files.createDirectories(dir.resolve("cache"));
        try {
            ImageIO.setCacheDirectory(cacheDir.toFile());
            ImageIO.setUseCache(true);
            Files.delete(cacheDir);
            BufferedImage image = banded(400, 200);
            for (VariantSpec spec : List.of(new VariantSpec("p", 100, 50, "png", 85), new VariantSpec("j", 100, 50, "jpeg", 80))) {
                assertThat(VariantRenderer.encode(image, spec)).as(spec.format()).isNotEmpty();
            }
        } finally {
            ImageIO.setUseCache(cache);
            ImageIO.setCacheDirectory(null);
        }
    }

    /** The three default variants of a recognisable source as PNG copies, for a person to look at. */
    @Test
    void writesTheDefaultVariantsForALookToTmpVariantLook(@TempDir Path dir) throws Exception {
        Path out = Path.of("/tmp/variant-look");
        Files.createDirectories(out);
        BufferedImage source = banded(2048, 1024);
        ImageIO.write(source, "png", out.resolve("source-2048x1024.png").toFile());
        BufferedImage decoded = VariantRenderer.decode(write(dir, source, "png"), DEFAULTS, 50_000_000L, Long.MAX_VALUE);
        for (VariantSpec spec : DEFAULTS) {
            BufferedImage variant = ImageIO.read(new ByteArrayInputStream(
                    VariantRenderer.encode(VariantRenderer.cover(decoded, spec), spec)));
            ImageIO.write(variant, "png", out.resolve(spec.name() + "-" + spec.width() + "x" + spec.height() + ".png").toFile());
        }
        assertThat(out.resolve("og-1200x630.png")).exists();
    }

    private static int bandWidth(BufferedImage image, int y, boolean fromLeft) {
        String colour = fromLeft ? "red" : "blue";
        int n = 0;
        for (int i = 0; i < image.getWidth(); i++) {
            int x = fromLeft ? i : image.getWidth() - 1 - i;
            if (!dominant(image.getRGB(x, y)).equals(colour)) {
                break;
            }
            n++;
        }
        return n;
    }

    static String dominant(int rgb) {
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (r < 60 && g < 60 && b < 60) {
            return "black";
        }
        if (r > 150 && g < 100 && b < 100) {
            return "red";
        }
        if (g > 150 && r < 100 && b < 100) {
            return "green";
        }
        if (b > 150 && r < 100 && g < 100) {
            return "blue";
        }
        return "other";
    }
}
