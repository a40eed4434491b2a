package io.ideogramcamel.standin;

/** One finished image; an unsafe one has no url and no bytes, as Ideogram withholds it. */
record GeneratedImage(int index, String url, String prompt, String resolution, long seed, boolean safe, byte[] png) {
}
