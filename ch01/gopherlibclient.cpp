// ch01/gopherlibclient.cpp: fetch a Gopher document through a library.
// Book: section 1.5.2 Using High-Level Interfaces (高级接口), gopherlibclient.py
//
// The book's program hands the selector and host to Python's gopherlib
// (gopherlib.send_selector) and never touches a socket. The C++ library that
// plays that role is libcurl: here we give it the Gopher request piece by
// piece (scheme, host, port, selector) through its URL API, allow only the
// gopher protocol, and let it connect, send and receive. What it receives
// goes to stdout, byte for byte the same as gopherclient.cpp's output.
//
// Usage:   gopherlibclient [--port PORT] HOST SELECTOR
// Partner: any Gopher server; `./workbook tour ch01` runs gophernicus.
// Try:     ./build/ch01/gopherlibclient quux.org /
#include <curl/curl.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "program.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] HOST SELECTOR",
                    .min_args = 2,
                    .max_args = 2,
                    .options = {"--port"},
                    .help = "  --port PORT  the server's port (default 70)"};

// The analog of gopherlib.send_selector(selector, host, port): the document
// goes to stdout, libcurl's default destination.
void send_selector(const std::string& selector, std::string host, unsigned port) {
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal
    // Both handles clean themselves up however we leave.
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), curl_url_cleanup);
    curl_url_set(url.get(), CURLUPART_SCHEME, "gopher", 0);
    if (curl_url_set(url.get(), CURLUPART_HOST, host.c_str(), 0) != CURLUE_OK)
        throw std::runtime_error("bad host name: " + host);
    curl_url_set(url.get(), CURLUPART_PORT, std::to_string(port).c_str(), 0);
    // The path is "/" + an item type + the selector (RFC 4266); libcurl drops
    // the type (1, a menu) and sends the selector unchanged.
    curl_url_set(url.get(), CURLUPART_PATH, ("/1" + selector).c_str(), CURLU_URLENCODE);

    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl.get(), CURLOPT_CURLU, url.get());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "gopher");
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl.get(), CURLOPT_BUFFERSIZE, 102400L);  // as the curl tool: fewer reads
    CURLcode result = curl_easy_perform(curl.get());
    if (result != CURLE_OK) throw std::runtime_error(error[0] ? error : curl_easy_strerror(result));
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 70);
        curl_global_init(CURL_GLOBAL_DEFAULT);
        send_selector(args[1], args[0], port);
        return 0;
    });
}
