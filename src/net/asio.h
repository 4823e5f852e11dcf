#pragma once
// The one place net/ includes standalone Asio, so every file agrees on its
// configuration macros.

#ifndef ASIO_STANDALONE
#define ASIO_STANDALONE
#endif
#ifndef ASIO_NO_DEPRECATED
#define ASIO_NO_DEPRECATED
#endif

#include <asio.hpp>
#include <asio/ssl.hpp>
