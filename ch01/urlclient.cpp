// ch01/urlclient.cpp: fetch a Gopher document by its URL.
// Book: section 1.5.2 Using High-Level Interfaces (高级接口), urlclient.py
//
// The book builds the URL gopher://HOST/SELECTOR and hands it to urllib,
// which knows many protocols and picks the right one from the URL. libcurl is
// C++'s urllib: give it a URL, and it connects, asks and receives. The
// document goes to stdout, the same bytes as gopherclient.cpp prints. The
// selector's own characters (spaces, tabs, ?, #) are escaped with %XX.
//
// Usage:   urlclient [--port PORT] HOST SELECTOR
// Partner: any Gopher server; `./workbook tour ch01` runs gophernicus.
// Try:     ./build/ch01/urlclient quux.org /
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

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        std::string host = args[0];
        if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal
        unsigned port = args.port("--port", 70);

        curl_global_init(CURL_GLOBAL_DEFAULT);
        // The handle cleans itself up however we leave (curl_easy_cleanup).
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 curl_easy_cleanup);

        char* selector =
            curl_easy_escape(curl.get(), args[1].c_str(), static_cast<int>(args[1].size()));
        // "/" + an item type (1, a menu) + the selector: libcurl drops the type.
        std::string url = "gopher://" + host + ":" + std::to_string(port) + "/1" + selector;
        curl_free(selector);

        // The book's f = urllib.urlopen(url); the reply goes to stdout.
        char error[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl.get(), CURLOPT_BUFFERSIZE, 102400L);  // as the curl tool: fewer reads
        CURLcode result = curl_easy_perform(curl.get());
        if (result != CURLE_OK)
            throw std::runtime_error(error[0] ? error : curl_easy_strerror(result));
        return 0;
    });
}
