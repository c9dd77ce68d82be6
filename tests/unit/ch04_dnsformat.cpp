// tests/unit/ch04_dnsformat.cpp: the DNS formatting and name rules of ch04/lib/dnsformat.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dnsformat.hpp"

using ch04::Record;

namespace {

Record parse(const char* text) {
    ldns_rr* rr = nullptr;
    EXPECT_EQ(ldns_rr_new_frm_str(&rr, text, 300, nullptr, nullptr), LDNS_STATUS_OK) << text;
    Record r = ch04::to_record(rr);
    ldns_rr_free(rr);
    return r;
}

}  // namespace

TEST(Ch04ReverseName, Ipv4IsTheBooksInAddrArpaName) {
    EXPECT_EQ(ch04::reverse_name("192.0.2.10"), "10.2.0.192.IN-ADDR.ARPA");
    EXPECT_EQ(ch04::reverse_name("127.0.0.1"), "1.0.0.127.IN-ADDR.ARPA");
}

TEST(Ch04ReverseName, Ipv6IsNibblesUnderIp6Arpa) {
    EXPECT_EQ(ch04::reverse_name("2001:db8::10"),
              "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.IP6.ARPA");
    EXPECT_EQ(ch04::reverse_name("::1"),
              "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.IP6.ARPA");
}

TEST(Ch04ReverseName, NamesAndBadAddressesAreNotAddresses) {
    EXPECT_FALSE(ch04::reverse_name("www.example.test"));
    EXPECT_FALSE(ch04::reverse_name("999.1.1.1"));  // the book's regex took this
    EXPECT_FALSE(ch04::reverse_name("1.2.3"));
    EXPECT_FALSE(ch04::reverse_name(""));
}

TEST(Ch04CheckName, AcceptsOrdinaryNamesAndTheLimits) {
    EXPECT_EQ(ch04::check_name("www.example.test"), "");
    EXPECT_EQ(ch04::check_name("www.example.test."), "");
    EXPECT_EQ(ch04::check_name(std::string(63, 'a') + ".test"), "");
    std::string longest = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                          std::string(63, 'c') + "." + std::string(61, 'd');
    ASSERT_EQ(longest.size(), 253u);
    EXPECT_EQ(ch04::check_name(longest), "");
}

TEST(Ch04CheckName, RejectsLongNamesLongLabelsAndEmptyLabels) {
    EXPECT_EQ(ch04::check_name(std::string(64, 'a') + ".test"),
              "a label of the name is 64 characters long; the limit is 63");
    std::string name;
    while (name.size() < 254) name += "abcdefghi.";
    EXPECT_EQ(ch04::check_name(name.substr(0, 254)),
              "the name is 254 characters long; the limit is 253");
    EXPECT_EQ(ch04::check_name("a..b"), "the name has an empty label (two dots in a row?)");
    EXPECT_EQ(ch04::check_name(".a"), "the name has an empty label (two dots in a row?)");
    EXPECT_EQ(ch04::check_name(""), "the name is empty");
}

TEST(Ch04FormatLine, BookLayout) {
    EXPECT_EQ(ch04::format_line(1, "A", "IP address", "192.0.2.1"),
              "1  A     IP address:  192.0.2.1");
    EXPECT_EQ(ch04::format_line(12, "CNAME", "Alias for", "www"), "12 CNAME Alias for:   www");
    EXPECT_EQ(ch04::format_line(3, "HINFO", "", "x y"), "3  HINFO x y");
    EXPECT_EQ(ch04::format_line(2, "SOA", "Start of authority", "\nns1\nhost"),
              "2  SOA   Start of authority: \n         ns1\n         host");
}

TEST(Ch04Records, FromLdnsToTheBooksData) {
    Record mx = parse("example.test. 300 IN MX 10 mail.example.test.");
    EXPECT_EQ(mx.owner, "example.test");
    EXPECT_EQ(mx.type, "MX");
    EXPECT_EQ(ch04::answer_line(mx), "MX    10 mail.example.test");
    EXPECT_EQ(ch04::query_data(mx), "mail.example.test, priority 10");
    EXPECT_EQ(ch04::description("MX"), "Mail server");

    Record txt = parse("example.test. 300 IN TXT \"first string\" \"second\"");
    EXPECT_EQ(ch04::answer_line(txt), "TXT   \"first string\" \"second\"");

    Record aaaa = parse("www.example.test. 300 IN AAAA 2001:db8::10");
    EXPECT_EQ(ch04::answer_line(aaaa), "AAAA  2001:db8::10");

    Record soa = parse(
        "example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 7 3600 900 604800 "
        "300");
    EXPECT_EQ(ch04::query_data(soa),
              "\nns1.example.test\nhostmaster.example.test\nserial 7\nrefresh 3600\nretry "
              "900\nexpire 604800\nminimum 300");
    EXPECT_EQ(
        ch04::format_line(1, soa.type, ch04::description(soa.type), ch04::query_data(soa)),
        "1  SOA   Start of authority: \n         ns1.example.test\n         "
        "hostmaster.example.test\n"
        "         serial 7\n         refresh 3600\n         retry 900\n         expire 604800\n"
        "         minimum 300");
}

TEST(Ch04MinimalAny, Rfc8482Answers) {
    Record a = parse("x.test. 300 IN A 192.0.2.1");
    Record aaaa = parse("x.test. 300 IN AAAA 2001:db8::1");
    Record cname = parse("x.test. 300 IN CNAME y.test.");
    Record hinfo = parse("x.test. 300 IN HINFO \"RFC8482\" \"\"");
    Record other_hinfo = parse("x.test. 300 IN HINFO \"PC\" \"Linux\"");
    EXPECT_TRUE(ch04::minimal_any({}));
    EXPECT_TRUE(ch04::minimal_any({hinfo}));
    EXPECT_TRUE(ch04::minimal_any({a}));
    EXPECT_TRUE(ch04::minimal_any({a, a}));
    EXPECT_FALSE(ch04::minimal_any({a, aaaa}));
    EXPECT_FALSE(ch04::minimal_any({cname}));
    EXPECT_FALSE(ch04::minimal_any({other_hinfo, a}));
    EXPECT_TRUE(ch04::is_rfc8482_hinfo(hinfo));
    EXPECT_FALSE(ch04::is_rfc8482_hinfo(other_hinfo));
}

TEST(Ch04MinimalAny, FallbackTypesInTheOrderAsked) {
    EXPECT_EQ(ch04::fallback_types,
              (std::vector<std::string>{"CNAME", "SOA", "NS", "MX", "A", "AAAA", "TXT", "PTR"}));
    EXPECT_EQ(ch04::join(ch04::fallback_types, ", "), "CNAME, SOA, NS, MX, A, AAAA, TXT, PTR");
}

TEST(Ch04Records, AListOfRecordsAndTheirLines) {
    ldns_rr_list* list = ldns_rr_list_new();
    for (const char* text : {"x.test. 300 IN A 192.0.2.1", "x.test. 300 IN NS ns1.x.test."}) {
        ldns_rr* rr = nullptr;
        ASSERT_EQ(ldns_rr_new_frm_str(&rr, text, 300, nullptr, nullptr), LDNS_STATUS_OK);
        ldns_rr_list_push_rr(list, rr);
    }
    std::vector<Record> records = ch04::to_records(list);
    ldns_rr_list_deep_free(list);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].fields, std::vector<std::string>{"ns1.x.test"});

    testing::internal::CaptureStdout();
    EXPECT_EQ(ch04::print_answers(records), 0);
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "A     192.0.2.1\nNS    ns1.x.test\n");
    testing::internal::CaptureStdout();
    EXPECT_EQ(ch04::print_answers({}), 1);
    EXPECT_EQ(testing::internal::GetCapturedStdout(), "Not found.\n");
}

TEST(Ch04Names, JoinAsPythonDoes) {
    EXPECT_EQ(ch04::join({"ns1.example.test", "ns2.example.test"}, ", "),
              "ns1.example.test, ns2.example.test");
    EXPECT_EQ(ch04::join({"one"}, ", "), "one");
    EXPECT_EQ(ch04::join({}, ", "), "");
    EXPECT_EQ(ch04::join({"", "a"}, ", "), ", a");
}

TEST(Ch04Names, StripDotAndCompare) {
    EXPECT_EQ(ch04::strip_dot("a.test."), "a.test");
    EXPECT_EQ(ch04::strip_dot("."), ".");
    EXPECT_TRUE(ch04::same_name("WWW.Example.test.", "www.example.test"));
    EXPECT_FALSE(ch04::same_name("www.example.test", "ww.example.test"));
}
