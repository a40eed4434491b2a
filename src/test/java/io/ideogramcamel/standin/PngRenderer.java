package io.ideogramcamel.standin;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * Draws a small PNG for one image: a colour taken from the seed, a ring at the centre, the prompt in
 * the built-in bitmap font, and the image's number and seed. Pixels are written straight into the raster
 * (no Graphics2D, no fonts), so it works headless anywhere.
 */
final class PngRenderer {

    static final int WIDTH = 320;
    private static final int SCALE = 2;
    private static final int MARGIN = 8;
    private static final int CHAR_ADVANCE = (BitmapFont.WIDTH + 1) * SCALE;
    private static final int LINE_ADVANCE = (BitmapFont.HEIGHT + 3) * SCALE;
    private static final int MAX_PROMPT_CHARS = 400;

    private PngRenderer() {
    }

    static byte[] render(String prompt, String resolution, long seed, int index, int count) {
        int height = heightFor(resolution);
        int[] pixels = new int[WIDTH * height];
        float hue = (Math.floorMod(seed * 2654435761L, 360L)) / 360f;
        int background = Color.HSBtoRGB(hue, 0.35f, 0.95f);
        int ink = Color.HSBtoRGB(hue, 0.8f, 0.25f);
        Arrays.fill(pixels, background);
        frame(pixels, height, ink);
        centreMark(pixels, height, ink);

        int columns = (WIDTH - 2 * MARGIN) / CHAR_ADVANCE;
        List<String> lines = wrap(prompt.length() > MAX_PROMPT_CHARS ? prompt.substring(0, MAX_PROMPT_CHARS) : prompt, columns);
        int maxLines = (height - 2 * MARGIN) / LINE_ADVANCE - 1;
        int y = MARGIN;
        for (int i = 0; i < Math.min(lines.size(), maxLines); i++, y += LINE_ADVANCE) {
            text(pixels, height, lines.get(i), MARGIN, y, ink);
        }
        text(pixels, height, "#" + (index + 1) + "/" + count + " SEED " + seed, MARGIN, height - MARGIN - BitmapFont.HEIGHT * SCALE, ink);

        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, WIDTH, height, pixels, 0, WIDTH);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }

    /** Keeps the requested aspect ratio at a fixed small width; nonsense resolutions get a square. */
    static int heightFor(String resolution) {
        String[] parts = resolution == null ? new String[0] : resolution.split("x");
        if (parts.length == 2) {
            try {
                long w = Long.parseLong(parts[0]);
                long h = Long.parseLong(parts[1]);
                if (w > 0 && h > 0) {
                    return (int) Math.max(96, Math.min(4L * WIDTH, WIDTH * h / w));
                }
            } catch (NumberFormatException ignored) {
                // a square below
            }
        }
        return WIDTH;
    }

    private static List<String> wrap(String text, int columns) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            while (word.length() > columns) {
                if (line.length() > 0) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                lines.add(word.substring(0, columns));
                word = word.substring(columns);
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > columns) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static void text(int[] pixels, int height, String text, int x, int y, int ink) {
        for (int i = 0; i < text.length(); i++, x += CHAR_ADVANCE) {
            if (x + BitmapFont.WIDTH * SCALE > WIDTH - MARGIN) {
                return;
            }
            int[] rows = BitmapFont.glyph(text.charAt(i));
            for (int row = 0; row < BitmapFont.HEIGHT; row++) {
                for (int col = 0; col < BitmapFont.WIDTH; col++) {
                    if ((rows[row] & (0x10 >> col)) != 0) {
                        block(pixels, height, x + col * SCALE, y + row * SCALE, ink);
                    }
                }
            }
        }
    }

    private static void block(int[] pixels, int height, int x, int y, int ink) {
        for (int dy = 0; dy < SCALE; dy++) {
            for (int dx = 0; dx < SCALE; dx++) {
                if (y + dy < height && x + dx < WIDTH) {
                    pixels[(y + dy) * WIDTH + x + dx] = ink;
                }
            }
        }
    }

    /* A ring at the very centre, so a web-ready variant's crop can be seen to be centred. */
    private static void centreMark(int[] pixels, int height, int ink) {
        int cx = WIDTH / 2;
        int cy = height / 2;
        int outer = Math.min(WIDTH, height) / 8;
        int inner = outer * 2 / 3;
        for (int y = cy - outer; y <= cy + outer; y++) {
            for (int x = cx - outer; x <= cx + outer; x++) {
                int d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                if (d <= outer * outer && d >= inner * inner) {
                    pixels[y * WIDTH + x] = ink;
                }
            }
        }
    }

    private static void frame(int[] pixels, int height, int ink) {
        for (int x = 0; x < WIDTH; x++) {
            pixels[x] = ink;
            pixels[(height - 1) * WIDTH + x] = ink;
        }
        for (int y = 0; y < height; y++) {
            pixels[y * WIDTH] = ink;
            pixels[y * WIDTH + WIDTH - 1] = ink;
        }
    }
}
