#pragma once
/// @file
/// @brief KILN_API: what libkiln exports.
///
/// libkiln.so is built with hidden visibility: only what carries KILN_API is part of its ABI.

#if defined(__GNUC__) || defined(__clang__)
/// Marks a function or class that libkiln exports.
#define KILN_API __attribute__((visibility("default")))
#else
#define KILN_API
#endif
