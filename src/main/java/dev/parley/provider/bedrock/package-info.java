/**
 * The Amazon Bedrock provider: Converse and ConverseStream (with the AWS event-stream framing),
 * tool use, images, reasoning with signatures, and embeddings through InvokeModel, every request
 * signed with AWS Signature Version 4 on the JDK alone. Created by
 * {@link dev.parley.provider.bedrock.BedrockProviderFactory} under the name {@code "bedrock"};
 * everything else here is internal.
 */
package dev.parley.provider.bedrock;
