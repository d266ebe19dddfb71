// The handshake's pure parts (replicated/src/handshake.h, FORMAT.md "Authentication"): fixed
// vectors that any implementation of the handshake must reproduce, and every way a decoder is
// handed the wrong bytes.
#include "handshake.h"

#include <gtest/gtest.h>

#include <string>

namespace hastore::replicated {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

// Key 00 01 .. 1f, initiator nonce 32 x 11, responder nonce 32 x 22. The expected proofs were
// computed apart from this code (Python's hmac module over the transcript FORMAT.md gives).
const std::string kKey = [] {
  std::string k;
  for (int i = 0; i < 32; ++i) k.push_back(static_cast<char>(i));
  return k;
}();
const std::string kInitiatorNonce(32, '\x11');
const std::string kResponderNonce(32, '\x22');
constexpr const char* kInitiatorProof = "6c8ac98f6b8c513b18589355b8278c700d6938d671567380d547fd1d8723ae8c";
constexpr const char* kResponderProof = "32572b21c312880256534dfd22099517d229412b2be9c25bf94cd5a43ac4ff59";

TEST(Handshake, ProofsOfAKnownKeyAndNoncesAreKnownBytes) {
  EXPECT_EQ(Hex(AuthProof(kKey, AuthRole::kInitiator, kInitiatorNonce, kResponderNonce)), kInitiatorProof);
  EXPECT_EQ(Hex(AuthProof(kKey, AuthRole::kResponder, kInitiatorNonce, kResponderNonce)), kResponderProof);
}

TEST(Handshake, MessagesAreTheMagicThenTheirFields) {
  const std::string challenge = EncodeAuthChallenge(kInitiatorNonce);
  EXPECT_EQ(challenge, "HSAUTH01" + kInitiatorNonce);
  ASSERT_EQ(challenge.size(), kAuthChallengeBytes);
  const std::string proof = AuthProof(kKey, AuthRole::kResponder, kInitiatorNonce, kResponderNonce);
  const std::string response = EncodeAuthResponse({kResponderNonce, proof});
  EXPECT_EQ(response, "HSAUTH01" + kResponderNonce + proof);
  ASSERT_EQ(response.size(), kAuthResponseBytes);

  Result<std::string> nonce = DecodeAuthChallenge(challenge);
  ASSERT_TRUE(nonce.ok()) << nonce.status().ToString();
  EXPECT_EQ(*nonce, kInitiatorNonce);
  Result<AuthResponse> back = DecodeAuthResponse(response);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->responder_nonce, kResponderNonce);
  EXPECT_EQ(back->proof, proof);
}

TEST(Handshake, AProofMatchesOnlyItsKeyRoleAndNonces) {
  const std::string proof = AuthProof(kKey, AuthRole::kInitiator, kInitiatorNonce, kResponderNonce);
  EXPECT_TRUE(AuthProofMatches(proof, kKey, AuthRole::kInitiator, kInitiatorNonce, kResponderNonce));
  std::string other_key = kKey;
  other_key[31] ^= 1;
  EXPECT_FALSE(AuthProofMatches(proof, other_key, AuthRole::kInitiator, kInitiatorNonce, kResponderNonce));
  // Reflected: the responder's proof is not the initiator's, over the same nonces.
  EXPECT_FALSE(AuthProofMatches(proof, kKey, AuthRole::kResponder, kInitiatorNonce, kResponderNonce));
  // Replayed: the same proof against a new responder nonce.
  EXPECT_FALSE(AuthProofMatches(proof, kKey, AuthRole::kInitiator, kInitiatorNonce, std::string(32, '\x33')));
  // The nonces' order is part of the transcript.
  EXPECT_FALSE(AuthProofMatches(proof, kKey, AuthRole::kInitiator, kResponderNonce, kInitiatorNonce));
  EXPECT_FALSE(AuthProofMatches(proof.substr(0, 31), kKey, AuthRole::kInitiator, kInitiatorNonce, kResponderNonce));
  EXPECT_FALSE(AuthProofMatches("", kKey, AuthRole::kInitiator, kInitiatorNonce, kResponderNonce));
}

TEST(Handshake, DecodersRefuseWrongLengthsAndMagic) {
  const std::string challenge = EncodeAuthChallenge(kInitiatorNonce);
  EXPECT_EQ(DecodeAuthChallenge(challenge.substr(0, 39)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeAuthChallenge(challenge + "x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeAuthChallenge("").status().code(), StatusCode::kCorruption);
  std::string bad_magic = challenge;
  bad_magic[7] = '2';  // HSAUTH02: another version
  Result<std::string> refused = DecodeAuthChallenge(bad_magic);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("without the magic HSAUTH01"), std::string::npos) << refused.status().message();
  // A frame (what a client without the handshake sends first) is not a challenge.
  EXPECT_FALSE(DecodeAuthChallenge(std::string(12, '\0') + std::string(28, 'x')).ok());

  const std::string response = EncodeAuthResponse({kResponderNonce, std::string(32, 'p')});
  EXPECT_EQ(DecodeAuthResponse(response.substr(0, 71)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeAuthResponse(challenge).status().code(), StatusCode::kCorruption);
  std::string bad_response = response;
  bad_response[0] = 'h';
  EXPECT_EQ(DecodeAuthResponse(bad_response).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hastore::replicated
