package io.ideogramcamel.archive;

import java.util.ServiceLoader;

import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageWriterSpi;

/**
 * ImageIO knows the plugins on the class path the JVM started with. Under Camel JBang (--dep) and
 * Camel K the bundle's jars, the WebP plugin among them, come in through a class loader of their own
 * that ImageIO never scans ("no ImageIO writer for webp"), so they are registered from this one.
 */
final class ImagePlugins {

    private ImagePlugins() {
    }

    static void registerFromBundle() {
        ClassLoader bundle = ImagePlugins.class.getClassLoader();
        IIORegistry registry = IIORegistry.getDefaultInstance();
        registry.registerServiceProviders(ServiceLoader.load(ImageWriterSpi.class, bundle).iterator());
        registry.registerServiceProviders(ServiceLoader.load(ImageReaderSpi.class, bundle).iterator());
    }
}
