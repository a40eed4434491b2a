package io.ideogramcamel.archive;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ideogramcamel.GenerationKey;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * Each provider's image hosts: Ideogram's from {@code ideogram.image-hosts}, another provider's
 * from {@code providers.<name>.image-hosts}, read when its first generation is archived. A
 * provider without that setting has no allowed host, so its images are refused
 * ({@code host_not_allowed}) rather than fetched from anywhere. Plain http follows the one
 * {@code ideogram.image.allow-http} for every provider.
 */
public class ImageHostPolicies implements CamelContextAware {

    private final Map<String, ImageHostPolicy> byProvider = new ConcurrentHashMap<>();
    private CamelContext camelContext;
    private ImageHostPolicy ideogram;
    private boolean allowHttp;

    /** Ideogram's own policy (the archive's ImageHostPolicy bean). */
    public void setIdeogram(ImageHostPolicy ideogram) {
        this.ideogram = ideogram;
    }

    public void setAllowHttp(boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** The policy for the images of the generation with this store key. */
    public ImageHostPolicy forGeneration(String generationKey) {
        String provider = GenerationKey.providerOf(generationKey);
        if (GenerationKey.IDEOGRAM.equals(provider)) {
            return ideogram;
        }
        return byProvider.computeIfAbsent(provider, this::load);
    }

    private ImageHostPolicy load(String provider) {
        ImageHostPolicy policy = new ImageHostPolicy();
        policy.setAllowHttp(allowHttp);
        String hosts = camelContext == null ? null
                : camelContext.getPropertiesComponent().resolveProperty("providers." + provider + ".image-hosts")
                        .orElse("");
        policy.setAllowedHosts(hosts == null ? "" : hosts);
        return policy;
    }
}
