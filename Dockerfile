# shopcast image: Debian's FFmpeg 5.1 (the bundled 4.1 fallback works too, but 5.1 writes playlists atomically).
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev
COPY profiles ./profiles
COPY public ./public
ENV SHOPCAST_DATA_DIR=/data
EXPOSE 1935 8080
CMD ["node", "dist/main.js"]
