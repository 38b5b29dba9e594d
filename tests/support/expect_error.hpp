// The message of the da::Error a call throws, checked to be of the expected kind.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "da/common/error.hpp"

namespace da::testing {

template <typename Call>
std::string thrown_message(ErrorKind expected, Call call) {
  try {
    call();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), expected) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no error was thrown";
  return "";
}

}  // namespace da::testing
