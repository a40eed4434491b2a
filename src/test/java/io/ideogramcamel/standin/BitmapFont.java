package io.ideogramcamel.standin;

import java.util.HashMap;
import java.util.Map;

/**
 * A 5x7 pixel font built in, so the images carry their prompt on any machine: a headless server
 * with no fonts installed renders exactly what a laptop does, and no font lookup can fail.
 */
final class BitmapFont {

    static final int WIDTH = 5;
    static final int HEIGHT = 7;

    private static final int[] UNKNOWN = {0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F};
    private static final Map<Character, int[]> GLYPHS = new HashMap<>();

    static {
        define('A', "0E 11 11 1F 11 11 11");
        define('B', "1E 11 11 1E 11 11 1E");
        define('C', "0E 11 10 10 10 11 0E");
        define('D', "1E 11 11 11 11 11 1E");
        define('E', "1F 10 10 1E 10 10 1F");
        define('F', "1F 10 10 1E 10 10 10");
        define('G', "0E 11 10 17 11 11 0F");
        define('H', "11 11 11 1F 11 11 11");
        define('I', "0E 04 04 04 04 04 0E");
        define('J', "07 02 02 02 02 12 0C");
        define('K', "11 12 14 18 14 12 11");
        define('L', "10 10 10 10 10 10 1F");
        define('M', "11 1B 15 15 11 11 11");
        define('N', "11 11 19 15 13 11 11");
        define('O', "0E 11 11 11 11 11 0E");
        define('P', "1E 11 11 1E 10 10 10");
        define('Q', "0E 11 11 11 15 12 0D");
        define('R', "1E 11 11 1E 14 12 11");
        define('S', "0F 10 10 0E 01 01 1E");
        define('T', "1F 04 04 04 04 04 04");
        define('U', "11 11 11 11 11 11 0E");
        define('V', "11 11 11 11 11 0A 04");
        define('W', "11 11 11 15 15 15 0A");
        define('X', "11 11 0A 04 0A 11 11");
        define('Y', "11 11 11 0A 04 04 04");
        define('Z', "1F 01 02 04 08 10 1F");
        define('0', "0E 11 13 15 19 11 0E");
        define('1', "04 0C 04 04 04 04 0E");
        define('2', "0E 11 01 02 04 08 1F");
        define('3', "1F 02 04 02 01 11 0E");
        define('4', "02 06 0A 12 1F 02 02");
        define('5', "1F 10 1E 01 01 11 0E");
        define('6', "06 08 10 1E 11 11 0E");
        define('7', "1F 01 02 04 08 08 08");
        define('8', "0E 11 11 0E 11 11 0E");
        define('9', "0E 11 11 0F 01 02 0C");
        define(' ', "00 00 00 00 00 00 00");
        define('.', "00 00 00 00 00 0C 0C");
        define(',', "00 00 00 00 0C 04 08");
        define('!', "04 04 04 04 04 00 04");
        define('?', "0E 11 01 02 04 00 04");
        define('-', "00 00 00 1F 00 00 00");
        define(':', "00 0C 0C 00 0C 0C 00");
        define(';', "00 0C 0C 00 0C 04 08");
        define('\'', "0C 04 08 00 00 00 00");
        define('"', "0A 0A 0A 00 00 00 00");
        define('/', "00 01 02 04 08 10 00");
        define('#', "0A 0A 1F 0A 1F 0A 0A");
        define('(', "02 04 08 08 08 04 02");
        define(')', "08 04 02 02 02 04 08");
        define('[', "0E 08 08 08 08 08 0E");
        define(']', "0E 02 02 02 02 02 0E");
        define('<', "02 04 08 10 08 04 02");
        define('>', "08 04 02 01 02 04 08");
        define('+', "00 04 04 1F 04 04 00");
        define('=', "00 00 1F 00 1F 00 00");
        define('_', "00 00 00 00 00 00 1F");
        define('*', "00 04 15 0E 15 04 00");
        define('&', "0C 12 14 08 15 12 0D");
        define('%', "18 19 02 04 08 13 03");
        define('@', "0E 11 01 0D 15 15 0E");
    }

    private BitmapFont() {
    }

    /** Row bit masks, top to bottom; bit 4 is the leftmost pixel. Lower case is drawn as upper case. */
    static int[] glyph(char c) {
        return GLYPHS.getOrDefault(Character.toUpperCase(c), UNKNOWN);
    }

    private static void define(char c, String rows) {
        String[] hex = rows.split(" ");
        int[] bits = new int[HEIGHT];
        for (int i = 0; i < HEIGHT; i++) {
            bits[i] = Integer.parseInt(hex[i], 16);
        }
        GLYPHS.put(c, bits);
    }
}
