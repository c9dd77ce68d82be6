// ch01/gopherclient3.cpp: the Gopher client, reading the reply line by line.
// Book: section 1.5.1.3 File-Like Objects (文件类对象), gopherclient3.py
//
// Python can wrap a socket in a file object (sock.makefile()) and read it
// with readline(). wb::SocketFile plays that role here: write() and flush()
// send the request, readline() hands back one line at a time, and an empty
// string means the server closed the connection. The output is the same as
// gopherclient.cpp's, byte for byte.
//
// Usage:   gopherclient3 [--port PORT] HOST SELECTOR
// Partner: any Gopher server; `./workbook tour ch01` runs gophernicus.
// Try:     ./build/ch01/gopherclient3 quux.org /
#include <cerrno>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] HOST SELECTOR",
                    .min_args = 2,
                    .max_args = 2,
                    .options = {"--port"},
                    .help = "  --port PORT  the server's port (default 70)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = wb::connect_to(args[0], args.port("--port", 70));
        // The book's fd = s.makefile('rw', 0). ("fd" is the book's name for
        // this file object; the descriptor itself is s.)
        wb::SocketFile fd(s.get());

        fd.write(args[1] + "\r\n");
        fd.flush();

        for (std::string line = fd.readline(); !line.empty(); line = fd.readline())
            if (!wb::write_stdout_buffered(line.data(), line.size()))
                throw wb::SystemError("write", errno);
        return 0;
    });
}
