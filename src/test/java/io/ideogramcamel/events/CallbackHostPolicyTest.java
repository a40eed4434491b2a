package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A caller's callback_url, checked when sent: the scheme, the allowed hosts, and where it resolves to. */
class CallbackHostPolicyTest {

    private static CallbackHostPolicy policy(boolean allowHttp, boolean allowPrivate, String hosts) {
        CallbackHostPolicy p = new CallbackHostPolicy();
        p.setAllowHttp(allowHttp);
        p.setAllowPrivateHosts(allowPrivate);
        p.setAllowedHosts(hosts);
        return p;
    }

    @Test
    void httpsToAPublicAddressIsSent() {
        assertThat(policy(false, false, "").refusalOf("https://93.184.215.14/hook")).isNull();
    }

    @Test
    void plainHttpOnlyWhenAllowed() {
        assertThat(policy(false, false, "").refusalOf("http://93.184.215.14/hook")).isEqualTo("callback_host_refused");
        assertThat(policy(true, false, "").refusalOf("http://93.184.215.14/hook")).isNull();
        assertThat(policy(true, true, "").refusalOf("ftp://93.184.215.14/hook")).isEqualTo("callback_host_refused");
    }

    @Test
    void loopbackPrivateLinkLocalAndMetadataAddressesAreRefusedUnlessAllowed() {
        CallbackHostPolicy strict = policy(true, false, "");
        for (String url : new String[] { "https://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3/x",
                "https://172.16.0.1/x", "https://192.168.1.1/x", "https://169.254.169.254/latest/meta-data",
                "https://[::1]/x", "https://[fd00:ec2::254]/x", "https://100.64.0.1/x", "https://0.0.0.0/x",
                "https://[::ffff:127.0.0.1]/x", "https://[fe80::1]/x" }) {
            assertThat(strict.refusalOf(url)).as(url).isEqualTo("callback_host_refused");
        }
        assertThat(policy(true, true, "").refusalOf("https://127.0.0.1/x")).isNull();
    }

    @Test
    void aHostOutsideTheListIsRefusedWhenAListIsSet() {
        CallbackHostPolicy listed = policy(false, true, "hooks.example.com,*.partner.example");
        assertThat(listed.refusalOf("https://hooks.example.com/x")).isNull();
        assertThat(listed.refusalOf("https://a.partner.example/x")).isNull();
        assertThat(listed.refusalOf("https://partner.example/x")).isEqualTo("callback_host_refused");
        assertThat(listed.refusalOf("https://evilpartner.example/x")).isEqualTo("callback_host_refused");
        assertThat(listed.refusalOf("https://other.example.com/x")).isEqualTo("callback_host_refused");
    }

    @Test
    void userInfoAHostlessUrlAndAnUnresolvableHostAreRefused() {
        CallbackHostPolicy p = policy(false, false, "");
        assertThat(p.refusalOf("https://user:pw@93.184.215.14/x")).isEqualTo("callback_host_refused");
        assertThat(p.refusalOf("https:///x")).isEqualTo("callback_host_refused");
        assertThat(p.refusalOf("not a url")).isEqualTo("callback_host_refused");
        assertThat(p.refusalOf(null)).isEqualTo("callback_host_refused");
        assertThat(p.refusalOf("https://no-such-host.invalid/x")).isEqualTo("callback_host_refused");
    }
}
