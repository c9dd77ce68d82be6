// tests/fuzz/dnsformat.cpp: chapter 4's DNS answers as text (ch04/lib/dnsformat).
//
// The input is a DNS message off the wire. ldns parses it as dns-basic,
// dnsany and dnsquery receive it; every record of every section then goes
// through to_record() and each way the programs print one, and each name
// and field through the name rules.
#include <cstdint>
#include <cstdlib>

#include "dnsformat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, data, size) != LDNS_STATUS_OK) return 0;
    for (const ldns_rr_list* list :
         {ldns_pkt_answer(pkt), ldns_pkt_authority(pkt), ldns_pkt_additional(pkt)}) {
        std::vector<ch04::Record> records = ch04::to_records(list);
        ch04::minimal_any(records);
        int index = 0;
        for (const ch04::Record& r : records) {
            ch04::answer_line(r);
            ch04::format_line(++index, r.type, ch04::description(r.type), ch04::query_data(r));
            ch04::is_rfc8482_hinfo(r);
            ch04::check_name(r.owner);
            ch04::same_name(r.owner, ch04::strip_dot(r.owner + "."));
            for (const std::string& field : r.fields) {
                ch04::reverse_name(field);
                ch04::check_name(field);
            }
        }
    }
    ldns_pkt_free(pkt);
    return 0;
}
