FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The SDK is an npm workspace: npm ci needs its manifest to match the lockfile.
COPY client/sdk/package.json ./client/sdk/
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY client ./client
COPY server ./server
COPY workers ./workers
COPY contract ./contract
COPY main ./main
ENV NODE_ENV=production PORT=3000
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "main/server.ts"]
