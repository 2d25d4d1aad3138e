package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Classification of literal addresses only: nothing here touches the network. */
class AddressPolicyTest {

    private static AddressPolicy policy(String... allowed) {
        AddressPolicy policy = new AddressPolicy();
        policy.config = new TestDeliveryConfig(List.of(allowed));
        policy.readAllowed();
        return policy;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1            | loopback",
            "127.255.0.9          | loopback",
            "10.1.2.3             | private",
            "172.16.0.1           | private",
            "172.31.255.255       | private",
            "192.168.1.1          | private",
            "169.254.169.254      | link-local",
            "100.64.0.1           | carrier-grade NAT",
            "0.0.0.0              | this network",
            "224.0.0.251          | multicast",
            "255.255.255.255      | broadcast",
            "::1                  | loopback",
            "::                   | unspecified",
            "fd00::1              | unique local",
            "fe80::1              | link-local",
            "ff02::1              | multicast",
            "::ffff:10.0.0.1      | private",
            "::ffff:169.254.169.254 | link-local",
            "64:ff9b::a9fe:a9fe   | link-local",
            "2002:7f00:1::1       | loopback",
            "::a00:1              | private",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2 | Teredo",
            "2001::1              | Teredo",
            "64:ff9b:1::808:808   | local-use NAT64",
            "fec0::1              | site-local",
            "::ffff:0:808:808     | IPv4-translated",
            "::ffff:0:7f00:1      | IPv4-translated",
    })
    void internalAddressesAreRefused(String address, String kind) {
        Optional<String> refusal = policy().refusal(IpLiterals.parse(address).orElseThrow());
        assertTrue(refusal.isPresent(), address + " must be refused");
        assertTrue(refusal.get().contains(kind), refusal.get());
    }

    @ParameterizedTest
    @ValueSource(strings = { "93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
            "64:ff9b::808:808", "2001:db9::1", "2001:4860:4860::8888" })
    void publicAddressesPass(String address) {
        assertEquals(Optional.empty(), policy().refusal(IpLiterals.parse(address).orElseThrow()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "::1" })
    void allowedNetworksLetLoopbackThroughForDevAndTests(String address) {
        assertEquals(Optional.empty(), policy("127.0.0.0/8", "::1/128").refusal(IpLiterals.parse(address).orElseThrow()));
        assertTrue(policy("127.0.0.0/8", "::1/128").refusal(IpLiterals.parse("10.0.0.1").orElseThrow()).isPresent());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2130706433       | 127.0.0.1",
            "0x7f000001       | 127.0.0.1",
            "017700000001     | 127.0.0.1",
            "0x7f.1           | 127.0.0.1",
            "127.1            | 127.0.0.1",
            "0177.0.0.1       | 127.0.0.1",
            "10.0x0.0.012     | 10.0.0.10",
            "169.254.43518    | 169.254.169.254",
            "[::ffff:7f00:1]  | 127.0.0.1",
            "[fe80::1]        | fe80:0:0:0:0:0:0:1",
    })
    void everyIpSpellingIsReadAsTheAddressItMeans(String spelling, String address) throws Exception {
        assertEquals(InetAddress.getByName(address), IpLiterals.parse(spelling).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = { "example.com", "1.2.3.4.5", "256.1.1.1", "0x100000000", "receiver.herald.test", "" })
    void namesAndNonsenseAreNotAddresses(String host) {
        assertTrue(IpLiterals.parse(host).isEmpty(), host);
    }
}
