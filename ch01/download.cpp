// ch01/download.cpp: download any URL to stdout.
// Book: section 1.5.2 Using High-Level Interfaces (高级接口), download.py
//
// The book opens a URL with urllib.urlopen() and copies it to stdout 2048
// bytes at a time. libcurl does the same for http://, https://, gopher://,
// ftp:// and more: it calls a write function for every piece it receives,
// and we copy each piece to stdout. When stderr is a terminal, libcurl's
// progress meter shows how the download goes (a redirected stderr stays
// clean). An HTTP error status (404, 500, ...) is an error, exit 1.
//
// Usage:   download URL
// Partner: any web server; `./workbook tour ch01` runs Python's http.server.
// Try:     ./build/ch01/download http://localhost:8000/ > page.html
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "program.hpp"

const wb::Spec spec{.synopsis = "URL", .min_args = 1, .max_args = 1};

// libcurl calls this for every piece of the document it receives (the
// book's loop of f.read(2048) and sys.stdout.write(buf)).
size_t write_piece(char* data, size_t size, size_t count, void*) {
    return std::fwrite(data, size, count, stdout) * size;
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        // The handle cleans itself up however we leave (curl_easy_cleanup).
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 curl_easy_cleanup);
        char error[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(curl.get(), CURLOPT_URL, args[0].c_str());
        curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write_piece);
        curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl.get(), CURLOPT_BUFFERSIZE, 102400L);  // as the curl tool: fewer reads
        curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);      // 404 and friends fail
        curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, isatty(STDERR_FILENO) ? 0L : 1L);
        CURLcode result = curl_easy_perform(curl.get());
        if (result != CURLE_OK)
            throw std::runtime_error(error[0] ? error : curl_easy_strerror(result));
        return 0;
    });
}
