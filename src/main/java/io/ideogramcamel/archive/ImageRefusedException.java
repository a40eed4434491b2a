package io.ideogramcamel.archive;

/**
 * One image that is deliberately not archived (unsafe, a host not on the list, too large...). The
 * rest of the generation is archived and the manifest lists this image with the reason. The
 * message is a fixed token, never a URL (result links carry signatures).
 */
public class ImageRefusedException extends RuntimeException {

    public ImageRefusedException(String reason) {
        super(reason, null, false, false);
    }

    public String getReason() {
        return getMessage();
    }
}
